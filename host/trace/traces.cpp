#include "trace/traces.h"

#include "core/log.h"
#include "process/unique_fd.h"
#include "recording/recordings.h"
#include "session/session.h"
#include "trace/bidi_tap.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace wdh {

namespace {

constexpr const char* kLog = "trace";
constexpr std::string_view kSuffix = ".trace.json";
// The largest trace file the host reads back.
constexpr std::uint64_t kMaxFile = 1ull << 30;

// True for a session id a file may be named after: 1 to 128 letters, digits, '-', '_' and '.'
// (the sessions API's own ids), not starting with '.'; no '/' can reach the file system.
bool safeId(std::string_view id) {
  if (id.empty() || id.size() > 128 || id.front() == '.')
    return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

Status writeFile(const std::string& path, const std::string& data) {
  std::string partial = path + ".part";
  UniqueFd fd(::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0)
    return Status(ErrorCode::UnknownError,
                  "cannot create " + partial + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd.get(), data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      Status failed(ErrorCode::UnknownError,
                    "cannot write " + partial + ": " + std::strerror(errno));
      ::unlink(partial.c_str());
      return failed;
    }
    done += static_cast<std::size_t>(n);
  }
  fd.reset();
  if (::rename(partial.c_str(), path.c_str()) != 0) {
    Status failed(ErrorCode::UnknownError,
                  "cannot rename " + partial + ": " + std::strerror(errno));
    ::unlink(partial.c_str());
    return failed;
  }
  return Status::ok();
}

// The trace files in `dir` with their sizes and times.
struct StoredTrace {
  std::string id;
  std::uint64_t size = 0;
  std::int64_t modifiedMs = 0;
};

std::vector<StoredTrace> storedIn(const std::string& dir) {
  std::vector<StoredTrace> out;
  DIR* listing = ::opendir(dir.c_str());
  if (listing == nullptr)
    return out;
  while (dirent* entry = ::readdir(listing)) {
    std::string_view name(entry->d_name);
    if (name.size() <= kSuffix.size() || name.substr(name.size() - kSuffix.size()) != kSuffix)
      continue;
    std::string_view id = name.substr(0, name.size() - kSuffix.size());
    if (!safeId(id))
      continue;
    struct stat info {};
    std::string path = dir + "/" + std::string(name);
    if (::lstat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode))
      continue;
    out.push_back(StoredTrace{std::string(id), static_cast<std::uint64_t>(info.st_size),
                              static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1000 +
                                  info.st_mtim.tv_nsec / 1000000});
  }
  ::closedir(listing);
  std::sort(out.begin(), out.end(), [](const StoredTrace& a, const StoredTrace& b) {
    return a.modifiedMs > b.modifiedMs || (a.modifiedMs == b.modifiedMs && a.id < b.id);
  });
  return out;
}

} // namespace

std::string defaultTracesDir() {
  std::string dir = defaultRecordingsDir();
  constexpr std::string_view kRecordings = "/recordings";
  if (dir.size() > kRecordings.size() &&
      std::string_view(dir).substr(dir.size() - kRecordings.size()) == kRecordings)
    dir.resize(dir.size() - kRecordings.size());
  return dir + "/traces";
}

Traces::Traces(TraceSettings settings) : settings_(std::move(settings)) {}

Traces::~Traces() {
  stopAll();
}

Status Traces::begin(const std::shared_ptr<Session>& session, const std::string& browser,
                     const TraceAsk& ask, bool* traced) {
  *traced = false;
  TraceMode mode = ask.mode.value_or(settings_.mode);
  if (mode == TraceMode::Off || stopped_.load())
    return Status::ok();
  std::vector<std::shared_ptr<SessionTrace>> done;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    done.swap(finished_); // their threads ended: joined below, outside the lock
  }
  done.clear();
  SessionTraceOptions options;
  options.browser = browser;
  options.bounds = settings_.bounds;
  options.redactAll = ask.redact;
  options.onFailureOnly = mode == TraceMode::OnFailure;
  options.settle = settings_.settle;
  auto trace = std::make_shared<SessionTrace>(session, std::move(options),
                                              [this](SessionTrace& t) { finish(t); });
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& slot = byId_[session->id()];
    // A session with the same id (the sessions API's own ids) whose trace still completes: it
    // finishes on its own and is found among the replaced ones.
    if (slot)
      replaced_.push_back(std::move(slot));
    slot = trace;
  }
  running_.fetch_add(1);
  *traced = true;
  log(LogLevel::Info, kLog,
      session->id() + ": traced" + (mode == TraceMode::OnFailure ? " (kept on failure)" : "") +
          (ask.redact ? ", typed text and script arguments left out" : ""),
      LogFields{session->id(), browser});
  return Status::ok();
}

std::shared_ptr<SessionTrace> Traces::find(std::string_view id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = byId_.find(id);
  return it == byId_.end() ? nullptr : it->second;
}

std::uint64_t Traces::commandStarted(std::string_view id, std::string_view method,
                                     std::string_view suffix, std::string_view body) {
  std::shared_ptr<SessionTrace> trace = find(id);
  return trace ? trace->started(method, suffix, body) : 0;
}

void Traces::commandFinished(std::uint64_t command, std::string_view id, const Status& status,
                             const RelayResponse& out) {
  if (std::shared_ptr<SessionTrace> trace = find(id))
    trace->finished(command, status, out);
}

void Traces::noteEvent(std::string_view id, std::string_view eventType) {
  if (std::shared_ptr<SessionTrace> trace = find(id))
    trace->noteEvent(eventType);
}

std::unique_ptr<WebSocketTap> Traces::tapBidi(std::string_view id) {
  std::shared_ptr<SessionTrace> trace = find(id);
  if (!trace)
    return nullptr;
  return std::make_unique<BidiTap>(trace);
}

bool Traces::waitsFor(std::string_view id) const {
  std::shared_ptr<SessionTrace> trace = find(id);
  return trace && !trace->screencast();
}

void Traces::await(std::uint64_t command, std::string_view id) {
  if (std::shared_ptr<SessionTrace> trace = find(id))
    trace->await(command, std::chrono::steady_clock::now() + std::chrono::seconds(10));
}

void Traces::settle(std::string_view id, std::chrono::milliseconds bound) {
  if (std::shared_ptr<SessionTrace> trace = find(id))
    trace->settle(std::chrono::steady_clock::now() + bound);
}

void Traces::sessionEnding(const std::string& id, std::uint16_t, const std::string& why) {
  if (std::shared_ptr<SessionTrace> trace = find(id))
    trace->ending(why);
}

void Traces::sessionEndedBecause(const std::string& id, EndCause cause) {
  if (std::shared_ptr<SessionTrace> trace = find(id))
    trace->endedBecause(cause);
}

bool Traces::fileOf(std::string_view id, std::string* path) const {
  if (!safeId(id) || settings_.dir.empty())
    return false;
  *path = settings_.dir + "/" + std::string(id) + std::string(kSuffix);
  return true;
}

void Traces::finish(SessionTrace& trace) {
  std::string path;
  bool kept = trace.keep();
  TraceInfo info;
  info.sessionId = trace.id();
  info.browser = trace.browser();
  info.startedAtMs = trace.startedAtMs();
  trace.summary(&info.commands, &info.failed, &info.running, &info.endedBy);
  info.running = false;
  if (kept && fileOf(trace.id(), &path)) {
    std::string data;
    trace.json(&data);
    std::lock_guard<std::mutex> disk(diskMutex_);
    Status status = makeDirs(settings_.dir);
    if (status.isOk())
      status = writeFile(path, data);
    if (status.isOk()) {
      written_.fetch_add(1);
      info.size = data.size();
      {
        std::lock_guard<std::mutex> lock(mutex_);
        kept_[info.sessionId] = info;
      }
      log(LogLevel::Info, kLog,
          trace.id() + ": trace kept in " + path + " (" + std::to_string(data.size()) + " bytes)",
          LogFields{trace.id(), trace.browser()});
      prune();
    } else {
      log(LogLevel::Warn, kLog, trace.id() + ": trace not kept: " + status.message(),
          LogFields{trace.id(), trace.browser()});
    }
  } else if (!kept) {
    log(LogLevel::Info, kLog, trace.id() + ": trace left out: the session passed",
        LogFields{trace.id(), trace.browser()});
  } else {
    log(LogLevel::Warn, kLog,
        trace.id() + ": trace not kept: no file may be named after this session id",
        LogFields{trace.id(), trace.browser()});
  }
  trace.release(); // served from its file from now on
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = byId_.find(trace.id());
  if (it != byId_.end() && it->second.get() == &trace) {
    finished_.push_back(std::move(it->second));
    byId_.erase(it);
    running_.fetch_sub(1);
    return;
  }
  auto old = std::find_if(replaced_.begin(), replaced_.end(),
                          [&](const auto& replaced) { return replaced.get() == &trace; });
  if (old != replaced_.end()) {
    finished_.push_back(std::move(*old));
    replaced_.erase(old);
    running_.fetch_sub(1);
  }
}

void Traces::prune() {
  std::vector<StoredTrace> stored = storedIn(settings_.dir);
  for (std::size_t i = settings_.maxKept; i < stored.size(); ++i) {
    std::string path = settings_.dir + "/" + stored[i].id + std::string(kSuffix);
    ::unlink(path.c_str());
    std::lock_guard<std::mutex> lock(mutex_);
    kept_.erase(stored[i].id);
  }
}

std::vector<TraceInfo> Traces::list() const {
  std::vector<TraceInfo> out;
  std::vector<std::shared_ptr<SessionTrace>> running;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [id, trace] : byId_)
      running.push_back(trace);
  }
  for (const auto& trace : running) {
    TraceInfo info;
    info.sessionId = trace->id();
    info.browser = trace->browser();
    info.startedAtMs = trace->startedAtMs();
    trace->summary(&info.commands, &info.failed, &info.running, &info.endedBy);
    info.running = true;
    out.push_back(std::move(info));
  }
  std::sort(out.begin(), out.end(),
            [](const TraceInfo& a, const TraceInfo& b) { return a.startedAtMs > b.startedAtMs; });
  if (!settings_.dir.empty())
    for (const StoredTrace& stored : storedIn(settings_.dir)) {
      if (std::any_of(out.begin(), out.end(),
                      [&](const TraceInfo& r) { return r.sessionId == stored.id; }))
        continue;
      TraceInfo info;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        auto known = kept_.find(stored.id);
        if (known != kept_.end())
          info = known->second;
      }
      info.sessionId = stored.id;
      if (info.startedAtMs == 0)
        info.startedAtMs = stored.modifiedMs;
      info.size = stored.size;
      out.push_back(std::move(info));
    }
  return out;
}

Status Traces::json(std::string_view id, std::string* out) const {
  if (!safeId(id))
    return Status(ErrorCode::InvalidArgument,
                  "a trace is named by its session's id (letters, digits, '-', '_', '.'), not \"" +
                      std::string(id.substr(0, 200)) + "\"");
  if (std::shared_ptr<SessionTrace> trace = find(id); trace && trace->json(out))
    return Status::ok(); // else it was just written to its file: read there
  std::string path;
  fileOf(id, &path);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  struct stat info {};
  if (fd.get() < 0 || ::fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode))
    return Status(ErrorCode::UnknownCommand,
                  "no trace of session " + std::string(id) +
                      " (it was not traced, is gone, or passed with on-failure)");
  if (static_cast<std::uint64_t>(info.st_size) > kMaxFile)
    return Status(ErrorCode::UnknownError, "the trace of session " + std::string(id) +
                                               " is larger than the host reads back");
  out->resize(static_cast<std::size_t>(info.st_size));
  std::size_t done = 0;
  while (done < out->size()) {
    ssize_t n = ::read(fd.get(), out->data() + done, out->size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    done += static_cast<std::size_t>(n);
  }
  out->resize(done);
  return Status::ok();
}

Status Traces::remove(std::string_view id) {
  std::string found;
  Status status = json(id, &found);
  if (!status.isOk())
    return status;
  if (find(id))
    return Status(ErrorCode::UnsupportedOperation,
                  "the trace of session " + std::string(id) + " runs until its session ends");
  std::string path;
  fileOf(id, &path);
  std::lock_guard<std::mutex> disk(diskMutex_);
  if (::unlink(path.c_str()) != 0)
    return Status(ErrorCode::UnknownCommand, "no trace of session " + std::string(id));
  std::lock_guard<std::mutex> lock(mutex_);
  auto known = kept_.find(id);
  if (known != kept_.end())
    kept_.erase(known);
  return Status::ok();
}

void Traces::stopAll() {
  stopped_.store(true);
  std::vector<std::shared_ptr<SessionTrace>> all;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [id, trace] : byId_)
      all.push_back(trace);
    all.insert(all.end(), replaced_.begin(), replaced_.end());
  }
  for (const auto& trace : all)
    trace->stop();
  // Each trace's thread finishes it (written as its rules say) and hands it to finished_.
  all.clear();
  std::vector<std::shared_ptr<SessionTrace>> done;
  for (int i = 0; i < 200; ++i) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done.insert(done.end(), std::make_move_iterator(finished_.begin()),
                  std::make_move_iterator(finished_.end()));
      finished_.clear();
      if (byId_.empty() && replaced_.empty())
        break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  done.clear(); // joins their threads
  // What did not finish in time is let go outside the lock its threads' last step takes.
  std::map<std::string, std::shared_ptr<SessionTrace>, std::less<>> left;
  std::vector<std::shared_ptr<SessionTrace>> rest;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    left.swap(byId_);
    rest.swap(replaced_);
    rest.insert(rest.end(), finished_.begin(), finished_.end());
    finished_.clear();
  }
}

} // namespace wdh
