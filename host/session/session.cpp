#include "session/session.h"

#include "core/log.h"

#include "json/json.h"
#include <algorithm>
#include <thread>

namespace wdh {
namespace {

// Slack on top of the longest of a session's own timeouts before a relayed command is
// declared lost.
constexpr std::chrono::milliseconds kCommandSlack{30000};

// Session objects alive (see Session::liveObjects).
std::atomic<std::size_t> gLiveObjects{0};

// Counts a command in flight for the scope's lifetime.
class InFlight {
public:
  explicit InFlight(std::atomic<int>& counter) : counter_(counter) { ++counter_; }
  ~InFlight() { --counter_; }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

private:
  std::atomic<int>& counter_;
};

} // namespace

Session::Session(std::string id, std::shared_ptr<LoadedPlugin> plugin, wdhost_session* handle,
                 std::unique_ptr<Upstream> upstream, Slot slot, SessionTiming timing,
                 std::shared_ptr<void> attachment)
    : id_(std::move(id)), plugin_(std::move(plugin)), handle_(handle),
      upstream_(std::move(upstream)), slot_(std::move(slot)), timing_(timing),
      attachment_(std::move(attachment)), scriptMs_(timing.scriptTimeout.count()),
      pageLoadMs_(timing.pageLoadTimeout.count()), implicitMs_(timing.implicitTimeout.count()),
      lastUsed_(std::chrono::steady_clock::now().time_since_epoch().count()) {
  gLiveObjects.fetch_add(1, std::memory_order_relaxed);
}

Session::~Session() {
  Status status = close();
  if (!status.isOk())
    log(LogLevel::Warn, "session", id_ + ": " + status.message(), LogFields{id_, plugin_->name()});
  gLiveObjects.fetch_sub(1, std::memory_order_relaxed);
}

std::size_t Session::liveObjects() noexcept {
  return gLiveObjects.load(std::memory_order_relaxed);
}

void Session::noteCommand(std::string_view method, std::string_view suffix) {
  std::lock_guard<std::mutex> lock(lastCommandMutex_);
  lastCommand_.assign(method).append(" ").append(suffix.substr(0, 100));
}

std::string Session::lastCommand() const {
  std::lock_guard<std::mutex> lock(lastCommandMutex_);
  return lastCommand_;
}

void Session::noteWindow(std::string_view handle) {
  std::lock_guard<std::mutex> lock(lastCommandMutex_);
  window_.assign(handle.substr(0, 256));
}

std::string Session::window() const {
  std::lock_guard<std::mutex> lock(lastCommandMutex_);
  return window_;
}

void Session::touch() noexcept {
  lastUsed_.store(std::chrono::steady_clock::now().time_since_epoch().count());
}

std::chrono::steady_clock::time_point Session::lastUsed() const noexcept {
  return std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(lastUsed_));
}

bool Session::idleExpired(std::chrono::steady_clock::time_point now) const noexcept {
  if (inFlight_.load() > 0 || closed_.load())
    return false;
  auto last = std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(lastUsed_));
  return now - last >= timing_.idleTimeout;
}

std::chrono::milliseconds Session::commandTimeout() const noexcept {
  std::int64_t longest = std::max({scriptMs_.load(), pageLoadMs_.load(), implicitMs_.load()});
  return std::chrono::milliseconds(longest) + kCommandSlack;
}

void Session::noteTimeouts(std::string_view method, std::string_view suffix, std::string_view body,
                           const RelayResponse& response) noexcept {
  if (method != "POST" || suffix != "/timeouts" || response.status != 200)
    return;
  rapidjson::Document doc;
  if (!parseJsonObject(body, &doc).isOk())
    return;
  // A null script timeout means "never"; the relay then waits a day at most.
  constexpr std::int64_t kDay = 24LL * 3600 * 1000;
  for (auto [key, target] :
       {std::pair<const char*, std::atomic<std::int64_t>*>{"script", &scriptMs_},
        {"pageLoad", &pageLoadMs_},
        {"implicit", &implicitMs_}}) {
    auto it = doc.FindMember(key);
    if (it == doc.MemberEnd())
      continue;
    if (it->value.IsNull())
      target->store(kDay);
    else if (it->value.IsUint64())
      target->store(
          static_cast<std::int64_t>(std::min<std::uint64_t>(it->value.GetUint64(), kDay)));
  }
}

Upstream* Session::beginRelay(Status* status, Activity activity) {
  *status = Status::ok();
  if (closed_.load()) {
    *status = Status(ErrorCode::InvalidSessionId, "session " + id_ + " has ended");
    return nullptr;
  }
  if (!upstream_)
    return nullptr;
  ++inFlight_;
  if (activity == Activity::Counts)
    touch();
  return upstream_.get();
}

Status Session::finishRelay(std::string_view method, std::string_view suffix, std::string_view body,
                            Status status, RelayResponse* out, Activity activity) {
  if (activity == Activity::Counts)
    touch();
  --inFlight_;
  return endCommand(method, suffix, body, std::move(status), out);
}

Status Session::endCommand(std::string_view method, std::string_view suffix, std::string_view body,
                           Status status, RelayResponse* out) {
  if (!status.isOk() && closed_.load())
    return Status(ErrorCode::InvalidSessionId,
                  "session " + id_ + " ended while the command ran: " + status.message());
  if (status.isOk())
    noteTimeouts(method, suffix, body, *out);
  return status;
}

void Session::abandonRelay() noexcept {
  touch();
  --inFlight_;
}

bool Session::backendGone(std::string* cause) const {
  if (!upstream_)
    return false; // an in-process plugin says so itself ("invalid session id")
  for (int probe = 0; probe < 3; ++probe) {
    if (probe > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    if (upstream_->refusesConnections(std::chrono::milliseconds(200))) {
      *cause = "its browser's driver at " + upstream_->host() + ":" +
               std::to_string(upstream_->port()) + " is gone (it refuses connections)";
      return true;
    }
  }
  return false;
}

Status Session::execute(std::string_view method, std::string_view suffix, std::string_view body,
                        RelayResponse* out, Activity activity) {
  Status status;
  if (Upstream* upstream = beginRelay(&status, activity))
    return finishRelay(method, suffix, body,
                       upstream->send(method, suffix, body, commandTimeout(), out), out, activity);
  if (!status.isOk())
    return status;
  {
    InFlight counting(inFlight_);
    if (activity == Activity::Counts)
      touch();
    std::lock_guard<std::mutex> lock(pluginMutex_);
    if (closed_.load() || closing_.load())
      return Status(ErrorCode::InvalidSessionId, "session " + id_ + " has ended");
    std::string value;
    // The plugin is told how long the host waits (commandTimeout()), and the call is cancelled
    // when the session closes meanwhile, so that its teardown need not wait out a long command.
    CallContext context(commandTimeout());
    {
      std::lock_guard<std::mutex> running(runningMutex_);
      running_ = &context;
      // A close() that came after the check above found no command to cancel: cancel it here.
      if (closing_.load())
        context.cancel();
    }
    status = plugin_->command(handle_, method, suffix, body, context, &value);
    {
      std::lock_guard<std::mutex> running(runningMutex_);
      running_ = nullptr;
    }
    if (status.isOk()) {
      out->status = 200;
      out->contentType = "application/json; charset=utf-8";
      out->body.clear();
      out->body.reserve(value.size() + 10);
      out->body.append("{\"value\":").append(value.empty() ? "null" : value).append("}");
    }
    if (activity == Activity::Counts)
      touch(); // while still counted in flight, so the idle timer cannot fire in between
  }
  return endCommand(method, suffix, body, std::move(status), out);
}

Status Session::close() {
  closing_.store(true); // no command begins from now on
  {
    std::lock_guard<std::mutex> running(runningMutex_);
    if (running_ != nullptr)
      running_->cancel();
  }
  std::lock_guard<std::mutex> lock(pluginMutex_);
  if (closed_.exchange(true))
    return Status::ok();
  Status status = plugin_->teardown(handle_);
  handle_ = nullptr;
  slot_.release();
  attachment_.reset();
  return status;
}

} // namespace wdh
