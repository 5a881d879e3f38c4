#include "trace/session_trace.h"

#include "core/log.h"
#include "live/frame_capture.h"
#include "live/live_session.h"
#include "recording/chrome_screencast.h"
#include "session/session.h"
#include "trace/command_names.h"
#include "trace/trace_redaction.h"

#include "json/json.h"
#include <algorithm>
#include <array>
#include <optional>

namespace wdh {

struct SessionTrace::Finished {
  std::uint64_t number = 0;
  std::string method;
  std::string suffix;
  bool changesPage = false;
  bool failed = false;
  std::string response; // for Get Current URL and Get Title
};

struct SessionTrace::Pending {
  std::uint64_t number = 0;
  std::uint64_t generation = 0; // closed once a later page-changing command begins
  std::chrono::steady_clock::time_point until;
  std::shared_ptr<const ViewFrame> picture;
  std::uint64_t sequence = 0;
};

namespace {

// How long the trace waits, after its session ended, for commands still running.
constexpr std::chrono::seconds kEndingGrace{3};

std::int64_t wallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The string "value" of a W3C answer, or "".
std::string stringValue(std::string_view body) {
  rapidjson::Document doc;
  if (!parseJsonObject(body, &doc).isOk())
    return "";
  auto value = doc.FindMember("value");
  return value != doc.MemberEnd() && value->value.IsString() ? value->value.GetString() : "";
}

// The most of a URL, title or console line a trace keeps.
constexpr std::size_t kMaxLine = 4096;

// A command's answer's string value (cut to kMaxLine), when it worked.
std::string ask(Session& session, const std::string& path) {
  RelayResponse out;
  if (!session.execute("GET", path, "", &out, Activity::Quiet).isOk() || out.status != 200)
    return "";
  return stringValue(out.body).substr(0, kMaxLine);
}

// True when the page shows a user prompt (alert, confirm, prompt): then the trace asks nothing
// else, since most commands would handle (dismiss) it before the client could.
bool promptOpen(Session& session) {
  RelayResponse out;
  return session.execute("GET", "/alert/text", "", &out, Activity::Quiet).isOk() &&
         out.status == 200;
}

// The W3C error code and message of an answer, or false when it is none.
bool errorOf(std::string_view body, std::string* error, std::string* message) {
  rapidjson::Document doc;
  if (!parseJsonObject(body, &doc).isOk())
    return false;
  auto value = doc.FindMember("value");
  if (value == doc.MemberEnd() || !value->value.IsObject())
    return false;
  auto code = value->value.FindMember("error");
  if (code == value->value.MemberEnd() || !code->value.IsString())
    return false;
  *error = code->value.GetString();
  auto text = value->value.FindMember("message");
  if (text != value->value.MemberEnd() && text->value.IsString())
    *message = std::string(text->value.GetString()).substr(0, 4000);
  return true;
}

} // namespace

SessionTrace::SessionTrace(const std::shared_ptr<Session>& session, SessionTraceOptions options,
                           std::function<void(SessionTrace&)> done)
    : session_(session), id_(session->id()), options_(std::move(options)), done_(std::move(done)),
      began_(std::chrono::steady_clock::now()), startedAtMs_(wallMs()),
      cdp_(session->sockets().cdp), record_(options_.bounds) {
  record_.sessionId = id_;
  record_.browser = options_.browser;
  record_.startedAtMs = startedAtMs_;
  record_.typedTextKept = !options_.redactAll;
  record_.scriptArgumentsKept = !options_.redactAll;
  record_.framesFrom = cdp_.empty() ? "screenshots" : "screencast";
  if (!cdp_.empty()) {
    screencast_ = std::make_shared<LiveSession>(session, id_);
    screencast_->watch();
  }
  thread_ = std::thread([this] { run(); });
  if (!cdp_.empty())
    listener_ = std::thread([this] { listen(cdp_); });
}

SessionTrace::~SessionTrace() {
  stop();
  if (thread_.joinable())
    thread_.join();
  if (listener_.joinable())
    listener_.join();
  if (screencast_) {
    screencast_->end();
    screencast_->unwatch();
  }
}

std::int64_t SessionTrace::msSinceStart() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               began_)
      .count();
}

std::uint64_t SessionTrace::started(std::string_view method, std::string_view suffix,
                                    std::string_view body) {
  CommandKind kind = commandKind(method, suffix);
  TracedCommand command;
  command.method = std::string(method);
  command.path = std::string(suffix);
  command.name = std::move(kind.name);
  command.changesPage = kind.changesPage;
  command.startMs = msSinceStart();
  // Typed text waits for the trace's thread to learn whether it went into a password field; it
  // is kept only then, and only when it did not.
  bool classify = !options_.redactAll && typesText(method, suffix) && suffix != "/alert/text";
  command.request =
      tracedRequest(method, suffix, body, !options_.redactAll && !classify, !options_.redactAll);
  std::shared_ptr<const ViewFrame> now = screencast_ ? screencast_->latest() : nullptr;
  std::lock_guard<std::mutex> lock(mutex_);
  command.number = record_.commands() + 1;
  command.request = record_.body(std::move(command.request));
  if (command.changesPage) {
    ++generation_;
    closePendingLocked();
    command.before = screencast_ ? record_.keep(now, command.startMs) : lastFrame_;
  }
  if (classify)
    rawBodies_.emplace_back(command.number, std::string(body.substr(0, kMaxTracedBody)));
  ++running_;
  return record_.add(std::move(command)).number;
}

void SessionTrace::finished(std::uint64_t number, const Status& status, const RelayResponse& out) {
  std::shared_ptr<const ViewFrame> now = screencast_ ? screencast_->latest() : nullptr;
  std::int64_t atMs = msSinceStart();
  std::lock_guard<std::mutex> lock(mutex_);
  --running_;
  TracedCommand* command = record_.command(number);
  if (command == nullptr)
    return;
  command->durationMs = atMs - command->startMs;
  Finished item;
  item.number = number;
  item.method = command->method;
  item.suffix = command->path;
  item.changesPage = command->changesPage;
  if (!status.isOk()) {
    command->httpStatus = status.httpStatus();
    command->error = status.name();
    command->message = status.message().substr(0, 4000);
  } else {
    command->httpStatus = out.status;
    if (out.status >= 400)
      errorOf(out.body, &command->error, &command->message);
    std::string_view element = elementOf(command->path);
    bool secret = !element.empty() && passwordElements_.count(element) > 0 &&
                  (command->path.find("/property/") != std::string::npos ||
                   command->path.find("/attribute/") != std::string::npos);
    command->response = secret ? std::string(kRedacted) : record_.body(cutBody(out.body));
    if (command->method == "GET" && (command->path == "/url" || command->path == "/title"))
      item.response = out.body.substr(0, 4096);
  }
  item.failed = !command->error.empty();
  if (screencast_) {
    command->after = record_.keep(now, atMs);
    if (command->changesPage || item.failed)
      pending_.push_back(Pending{number, generation_,
                                 std::chrono::steady_clock::now() + options_.settle, now,
                                 now ? now->sequence : 0});
  }
  queue_.push_back(std::move(item));
  wake_.notify_all();
}

void SessionTrace::closePendingLocked() {
  std::int64_t atMs = msSinceStart();
  std::shared_ptr<const ViewFrame> now =
      screencast_ && !screencast_->ended() ? screencast_->latest() : nullptr;
  for (Pending& pending : pending_) {
    std::shared_ptr<const ViewFrame> picture =
        now && (!pending.picture || now->sequence > pending.sequence) ? now : pending.picture;
    if (TracedCommand* command = record_.command(pending.number))
      command->after = record_.keep(picture, atMs);
  }
  pending_.clear();
}

void SessionTrace::event(const char* kind, std::string text) {
  std::int64_t atMs = msSinceStart();
  if (text.size() > kMaxLine)
    text.resize(kMaxLine);
  std::lock_guard<std::mutex> lock(mutex_);
  record_.note(atMs, kind, std::move(text));
}

void SessionTrace::noteEvent(std::string_view eventType) {
  std::lock_guard<std::mutex> lock(mutex_);
  outcome_ = afterEvent(outcome_, eventType);
  record_.outcome = outcomeName(outcome_);
}

void SessionTrace::ending(const std::string& why) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (ending_)
    return;
  ending_ = true;
  endingAt_ = std::chrono::steady_clock::now();
  record_.endReason = why.substr(0, 2000);
  wake_.notify_all();
}

void SessionTrace::await(std::uint64_t number, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mutex_);
  idle_.wait_until(lock, deadline, [&] {
    bool queued = std::any_of(queue_.begin(), queue_.end(),
                              [&](const Finished& item) { return item.number == number; });
    return processed_ >= number || stop_.load() || (!queued && !busy_);
  });
}

void SessionTrace::settle(std::chrono::steady_clock::time_point deadline) {
  if (screencast_) {
    std::shared_ptr<const ViewFrame> last = screencast_->latest();
    std::uint64_t seen = last ? last->sequence : 0;
    screencast_->captureSoon();
    std::shared_ptr<const ViewFrame> now = screencast_->waitNewer(seen, deadline);
    std::lock_guard<std::mutex> lock(mutex_);
    if (now)
      for (Pending& pending : pending_)
        if (pending.generation == generation_) {
          pending.picture = now;
          pending.sequence = now->sequence;
        }
    closePendingLocked();
  }
  std::unique_lock<std::mutex> lock(mutex_);
  idle_.wait_until(lock, deadline, [this] { return (queue_.empty() && !busy_) || stop_.load(); });
  settled_ = true;
  wake_.notify_all();
}

void SessionTrace::endedBecause(EndCause cause) {
  std::lock_guard<std::mutex> lock(mutex_);
  cause_ = cause;
  record_.endedBy = endCauseName(cause);
}

void SessionTrace::stop() {
  stop_.store(true);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_.notify_all();
  }
  if (screencast_)
    screencast_->end();
}

bool SessionTrace::json(std::string* out) const {
  // Written from a copy (its pictures shared, not copied): the commands' own threads never
  // wait for a large trace to be written out.
  std::optional<TraceRecord> copy;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (released_)
      return false;
    copy.emplace(record_);
  }
  *out = copy->json();
  return true;
}

void SessionTrace::release() {
  TraceRecord dropped(options_.bounds);
  std::lock_guard<std::mutex> lock(mutex_);
  released_ = true;
  std::swap(dropped, record_); // freed as `dropped` goes, after the lock
}

void SessionTrace::summary(std::size_t* commands, bool* failed, bool* running,
                           std::string* endedBy) const {
  std::lock_guard<std::mutex> lock(mutex_);
  *commands = record_.commands();
  *failed = record_.failed();
  *running = !ending_;
  *endedBy = record_.endedBy;
}

bool SessionTrace::keep() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return keepRecording(options_.onFailureOnly, outcome_, cause_);
}

bool SessionTrace::typedSecret(Session& session, const Finished& item, const std::string& raw) {
  std::string element(elementOf(item.suffix));
  if (element.empty()) {
    // BiDi's input.performActions may aim at another browsing context than classic's: its keys
    // are never kept. Classic Perform Actions: the keys went to the focused element, unless a
    // Tab, Return or Enter among them moved on (then where they went is not known).
    if (item.method == kBidiMethod)
      return true;
    std::string typed = typedText(item.method, item.suffix, raw);
    for (const char* moves : {"\xEE\x80\x84", "\xEE\x80\x86", "\xEE\x80\x87"})
      if (typed.find(moves) != std::string::npos)
        return true;
    RelayResponse out;
    if (!session.execute("GET", "/element/active", "", &out, Activity::Quiet).isOk() ||
        out.status != 200)
      return true;
    rapidjson::Document doc;
    if (!parseJsonObject(out.body, &doc).isOk() || !doc.HasMember("value") ||
        !doc["value"].IsObject() || doc["value"].MemberCount() == 0 ||
        !doc["value"].MemberBegin()->value.IsString())
      return true;
    element = doc["value"].MemberBegin()->value.GetString();
    // Kept only when the focused element is a field of plain text.
    std::string type = ask(session, "/element/" + element + "/property/type");
    static constexpr std::array<std::string_view, 7> kPlain{"text", "search", "email",   "url",
                                                            "tel",  "number", "textarea"};
    if (std::find(kPlain.begin(), kPlain.end(), type) == kPlain.end()) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (type == "password")
        passwordElements_.insert(element);
      return true;
    }
    return false;
  }
  RelayResponse out;
  Status asked =
      session.execute("GET", "/element/" + element + "/property/type", "", &out, Activity::Quiet);
  // A field that cannot be asked about any more (the page went on) counts as a password's.
  if (!asked.isOk() || out.status != 200)
    return true;
  if (stringValue(out.body) != "password")
    return false;
  std::lock_guard<std::mutex> lock(mutex_);
  passwordElements_.insert(element);
  return true;
}

void SessionTrace::process(Finished& item) {
  std::shared_ptr<Session> session = session_.lock();
  // Typed text waiting to be kept, if this command typed any.
  std::string raw;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = std::find_if(rawBodies_.begin(), rawBodies_.end(),
                           [&](const auto& body) { return body.first == item.number; });
    if (it != rawBodies_.end()) {
      raw = std::move(it->second);
      rawBodies_.erase(it);
    }
  }
  bool asks = session && !stop_.load() && (item.changesPage || item.failed || !raw.empty());
  // An open alert is the client's to handle: the trace asks the page nothing while one shows.
  bool prompt = asks && promptOpen(*session);
  if (prompt) {
    std::lock_guard<std::mutex> lock(mutex_);
    record_.note(msSinceStart(), "prompt",
                 "a user prompt is open after " + item.method + " " + item.suffix);
  }
  // The screenshot first: the client's next command may change the page at any moment.
  std::uint64_t frame = 0;
  if (!screencast_ && asks && !prompt) {
    LiveFrame picture;
    if (captureByCommand(*session, &picture).isOk()) {
      auto view = std::make_shared<ViewFrame>();
      view->contentType = std::move(picture.contentType);
      view->bytes = std::move(picture.bytes);
      view->cssWidth = picture.width;
      view->cssHeight = picture.height;
      std::lock_guard<std::mutex> lock(mutex_);
      frame = record_.keep(std::move(view), msSinceStart());
      lastFrame_ = frame;
    }
  }
  // Typed text: kept unless it went (or may have gone) into a password field.
  if (!raw.empty()) {
    bool secret = !session || prompt || typedSecret(*session, item, raw);
    std::string kept = secret ? "" : tracedRequest(item.method, item.suffix, raw, true, true);
    std::lock_guard<std::mutex> lock(mutex_);
    if (secret)
      for (const std::string& part : typedParts(item.method, item.suffix, raw))
        record_.addSecret(part);
    else if (TracedCommand* command = record_.command(item.number))
      command->request = record_.body(std::move(kept));
  }
  std::string url, title;
  if (item.method == "GET" && item.suffix == "/url")
    url = stringValue(item.response).substr(0, kMaxLine);
  if (item.method == "GET" && item.suffix == "/title")
    title = stringValue(item.response).substr(0, kMaxLine);
  if (asks && !prompt && (item.changesPage || item.failed)) {
    ChromePage page;
    // Chrome: from the browser's list of pages, so that no command of the session can handle
    // an alert the page opened meanwhile.
    if (screencast_ &&
        findChromePage(cdp_, session->window(),
                       std::chrono::steady_clock::now() + std::chrono::seconds(2), &page)
            .isOk()) {
      url = page.url.substr(0, kMaxLine);
      title = page.title.substr(0, kMaxLine);
    } else if (!screencast_) {
      url = ask(*session, "/url");
      title = ask(*session, "/title");
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  TracedCommand* command = record_.command(item.number);
  if (command == nullptr)
    return;
  if (frame != 0)
    command->after = frame;
  else if (!screencast_)
    command->after = lastFrame_;
  // A picture taken after a command that did not change the page (a failed find) shows what the
  // commands before it left, back to the last that changed the page: a click whose navigation
  // was still loading when its own picture was taken shows the page it led to.
  if (frame != 0 && !item.changesPage)
    for (std::uint64_t n = item.number - 1; n > 0; --n) {
      TracedCommand* earlier = record_.command(n);
      if (earlier == nullptr)
        break;
      earlier->after = frame;
      if (earlier->changesPage)
        break;
    }
  // What a command learnt of the page holds for those after it until one changes it.
  std::size_t count = record_.commands();
  for (std::uint64_t n = item.number; n <= count; ++n) {
    TracedCommand* later = record_.command(n);
    if (later == nullptr || (n > item.number && later->changesPage))
      break;
    if (!url.empty())
      later->url = url;
    if (!title.empty())
      later->title = title;
  }
}

void SessionTrace::run() {
  for (;;) {
    std::vector<Finished> work;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      auto tick = std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
      wake_.wait_until(lock, tick, [this] { return !queue_.empty() || stop_.load() || ending_; });
      work.swap(queue_);
      busy_ = !work.empty();
    }
    for (Finished& item : work) {
      process(item);
      std::lock_guard<std::mutex> lock(mutex_);
      processed_ = std::max(processed_, item.number);
      idle_.notify_all();
    }
    if (!work.empty()) {
      std::lock_guard<std::mutex> lock(mutex_);
      busy_ = false;
      idle_.notify_all();
    }
    // Pictures of a screencast still count as the page after the last page-changing command.
    if (screencast_) {
      std::shared_ptr<const ViewFrame> now = screencast_->latest();
      auto clock = std::chrono::steady_clock::now();
      std::int64_t atMs = msSinceStart();
      std::lock_guard<std::mutex> lock(mutex_);
      if (now)
        for (Pending& pending : pending_)
          if (pending.generation == generation_ && clock <= pending.until &&
              now->sequence > pending.sequence) {
            pending.picture = now;
            pending.sequence = now->sequence;
          }
      for (auto it = pending_.begin(); it != pending_.end();) {
        if (it->generation != generation_ || clock > it->until) {
          if (TracedCommand* command = record_.command(it->number))
            command->after = record_.keep(it->picture, atMs);
          it = pending_.erase(it);
        } else {
          ++it;
        }
      }
    }
    std::unique_lock<std::mutex> lock(mutex_);
    bool settled = queue_.empty() && (pending_.empty() || settled_) && running_ == 0 && settled_;
    if (stop_.load() ||
        (ending_ && (settled || std::chrono::steady_clock::now() - endingAt_ > kEndingGrace)))
      break;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closePendingLocked();
    // Typed text never classified (its session went first) stays left out.
    rawBodies_.clear();
    ending_ = true;
    record_.complete = true;
  }
  if (screencast_)
    screencast_->end();
  if (done_)
    done_(*this);
}

void SessionTrace::listen(const std::string& cdp) {
  ScreencastOptions options;
  options.frames = false;
  options.console = true;
  options.network = true;
  std::unique_ptr<ChromeScreencast> watch;
  while (!stop_.load()) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (ending_)
        return;
    }
    auto soon = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
    if (!watch) {
      if (std::shared_ptr<Session> session = session_.lock())
        options.target = session->window();
      if (!ChromeScreencast::open(cdp, options, soon, &watch).isOk()) {
        std::this_thread::sleep_until(soon);
        continue;
      }
    }
    PageEvent event;
    Status got = watch->next(soon, &event);
    if (got.isOk()) {
      std::int64_t atMs = msSinceStart();
      std::lock_guard<std::mutex> lock(mutex_);
      record_.note(atMs, event.kind == PageEvent::Network ? "network" : "console",
                   event.data.substr(0, kMaxLine));
    } else if (got.code() != ErrorCode::Timeout) {
      watch.reset(); // the page went (a navigation may replace it): look for it again
    }
  }
}

} // namespace wdh
