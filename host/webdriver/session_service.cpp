#include "webdriver/session_service.h"

#include "core/log.h"
#include "core/uuid.h"
#include "core/version.h"
#include "process/process_supervisor.h"
#include "process/socket_owner.h"
#include "process/temp_dirs.h"
#include "webdriver/capabilities.h"
#include "webdriver/matching.h"
#include "webdriver/session_files.h"
#include "webdriver/websocket_capabilities.h"

#include "json/json.h"
#include <future>
#include <tuple>
#include <vector>

namespace wdh {
namespace {

constexpr const char* kSessionTimeoutCap = "wdhost:sessionTimeout";

std::chrono::milliseconds timeoutOf(const rapidjson::Value& timeouts, const char* key,
                                    std::chrono::milliseconds fallback) {
  auto it = timeouts.FindMember(key);
  if (it == timeouts.MemberEnd())
    return fallback;
  if (it->value.IsNull())
    return std::chrono::hours(24);
  if (it->value.IsUint64())
    return std::chrono::milliseconds(
        std::min<std::uint64_t>(it->value.GetUint64(), 24ULL * 3600 * 1000));
  return fallback;
}

std::vector<wdhost::GuardedCapabilities> guardsOf(const PluginRegistry& registry) {
  std::vector<wdhost::GuardedCapabilities> guards;
  for (const auto& plugin : registry.plugins())
    if (!plugin->description().guarded.empty())
      guards.push_back(plugin->description().guarded);
  return guards;
}

} // namespace

SessionService::SessionService(const PluginRegistry& registry, SessionMap& sessions,
                               HostServices services, SessionSettings settings)
    : registry_(registry), sessions_(sessions), services_(services), settings_(settings),
      slots_(settings.maxSessions, settings.maxSessionsPerPlugin, settings.maxQueue),
      policy_(guardsOf(registry), settings.allowClientBinaries),
      crashes_(std::make_shared<CrashInbox>()),
      closing_(std::make_shared<std::atomic<std::size_t>>(0)),
      janitor_(sessions, crashes_, [this](const std::shared_ptr<Session>& s) { closeSession(s); }),
      ownJobs_(std::make_unique<JobExecutor>(64)), jobs_(ownJobs_.get()) {
  // A New Session that waits for a browser still starting ahead waits for a launch that yields
  // to running sessions (--warm-priority idle): from then on, it does not.
  if (ProcessSupervisor* processes = services_.processes)
    warm_.onWait([processes] { processes->hurryBackground(); });
  if (services_.processes != nullptr) {
    std::shared_ptr<CrashInbox> inbox = crashes_;
    services_.processes->setExitListener(
        [inbox](ProcessSupervisor::Id, const std::string& owner, const ProcessState& state) {
          if (!owner.empty())
            inbox->post(owner, state.describe());
        });
  }
}

SessionService::~SessionService() {
  closeAll();
  // What a teardown still running uses must outlive it (closeAll() waited only so long).
  janitor_.awaitTeardowns(std::chrono::hours(24));
}

void SessionService::start() {
  janitor_.everySweep([this] { sweepWarm(); });
  janitor_.start();
}

Status SessionService::hostTiming(const rapidjson::Value& hostCaps, const std::string& accepted,
                                  SessionTiming* timing) const {
  timing->idleTimeout = settings_.idleTimeout;
  auto it = hostCaps.FindMember(kSessionTimeoutCap);
  if (it != hostCaps.MemberEnd()) {
    std::uint64_t max = static_cast<std::uint64_t>(settings_.maxIdleTimeout.count());
    if (!it->value.IsUint64() || it->value.GetUint64() == 0 || it->value.GetUint64() > max)
      return Status(ErrorCode::InvalidArgument,
                    std::string(kSessionTimeoutCap) +
                        " must be a whole number of seconds from 1 to " + std::to_string(max) +
                        " (--max-session-timeout), not " + toJson(it->value));
    timing->idleTimeout = std::chrono::seconds(it->value.GetUint64());
  }
  rapidjson::Document caps;
  if (parseJsonObject(accepted, &caps).isOk()) {
    auto timeouts = caps.FindMember("timeouts");
    if (timeouts != caps.MemberEnd() && timeouts->value.IsObject()) {
      timing->scriptTimeout = timeoutOf(timeouts->value, "script", timing->scriptTimeout);
      timing->pageLoadTimeout = timeoutOf(timeouts->value, "pageLoad", timing->pageLoadTimeout);
      timing->implicitTimeout = timeoutOf(timeouts->value, "implicit", timing->implicitTimeout);
    }
  }
  return Status::ok();
}

bool SessionService::isSessionPeer(const std::string& id, int fd) const {
  if (services_.processes == nullptr)
    return false;
  return peerHeldBy(fd, services_.processes->pidsOwnedBy(id));
}

std::vector<SessionSummary> SessionService::list() const {
  std::vector<SessionSummary> out;
  auto steadyNow = std::chrono::steady_clock::now();
  auto wallNow = std::chrono::system_clock::now();
  for (const auto& session : sessions_.all()) {
    auto wall = wallNow - std::chrono::duration_cast<std::chrono::system_clock::duration>(
                              steadyNow - session->lastUsed());
    out.push_back(SessionSummary{
        session->id(),
        std::chrono::duration_cast<std::chrono::milliseconds>(wall.time_since_epoch()).count()});
  }
  return out;
}

Status SessionService::newSession(std::string_view body, const NewSessionRequest& newRequest,
                                  std::string* response, std::string* sessionId) {
  std::promise<std::tuple<Status, std::string, std::string>> promised;
  auto result = promised.get_future();
  startNewSession(std::string(body), newRequest,
                  [&promised](Status status, std::string answer, std::string id) {
                    promised.set_value({std::move(status), std::move(answer), std::move(id)});
                  });
  auto [status, answer, id] = result.get();
  if (status.isOk()) {
    *response = std::move(answer);
    *sessionId = std::move(id);
  }
  return status;
}

void SessionService::reclaim(const std::string& sessionId) {
  if (services_.processes != nullptr) {
    std::size_t killed = services_.processes->terminateOwnedBy(sessionId, settings_.teardownGrace);
    if (killed > 0)
      log(LogLevel::Debug, "session",
          sessionId + ": terminated " + std::to_string(killed) +
              " process(es) still owned by the session");
  }
  if (services_.tempDirs != nullptr)
    services_.tempDirs->removeOwnedBy(sessionId);
}

void SessionService::closeSession(const std::shared_ptr<Session>& session,
                                  std::uint16_t closeCode) {
  if (endListener_) {
    std::string why = sessions_.endReason(session->id());
    endListener_(session->id(), closeCode,
                 "session ended: " + (why.empty() ? kHostShuttingDown : why));
  }
  Status status = session->close();
  if (!status.isOk())
    log(LogLevel::Warn, "session", session->id() + ": " + status.message(),
        LogFields{session->id(), session->plugin().name()});
  reclaim(session->id());
  if (metrics_ != nullptr && session->endCause() != EndCause::None)
    metrics_->sessionClosed(session->plugin().name(), session->endCause());
  log(LogLevel::Info, "session", "closed " + session->id(),
      LogFields{session->id(), session->plugin().name()});
}

Status SessionService::unknownSession(std::string_view id) const {
  std::string reason = sessions_.endReason(id);
  if (!reason.empty())
    return Status(ErrorCode::InvalidSessionId,
                  "session " + std::string(id) + " has ended: " + reason);
  std::string shown(id.substr(0, 64));
  return Status(ErrorCode::InvalidSessionId,
                "no session " + shown + (id.size() > 64 ? "..." : "") + " is known to this host");
}

Status SessionService::deleteSession(std::string_view id) {
  std::shared_ptr<Session> session = sessions_.take(id, "it was deleted");
  if (!session)
    return unknownSession(id);
  session->markEnded(EndCause::Deleted);
  closeInBackground(std::move(session), 1000);
  return Status::ok();
}

void SessionService::closeInBackground(std::shared_ptr<Session> session, std::uint16_t closeCode) {
  // Its websockets hear at once; the rest of the teardown does not hold up the caller.
  if (endListener_)
    endListener_(session->id(), closeCode, "session ended: " + sessions_.endReason(session->id()));
  closing_->fetch_add(1);
  session->markSlotReturning();
  std::string plugin = session->plugin().name();
  {
    std::lock_guard<std::mutex> lock(countsMutex_);
    ++closingByPlugin_[plugin];
  }
  std::shared_ptr<std::atomic<std::size_t>> closing = closing_;
  janitor_.closeSoon(std::move(session), [this, closing, plugin] {
    {
      std::lock_guard<std::mutex> lock(countsMutex_);
      --closingByPlugin_[plugin];
    }
    closing->fetch_sub(1);
  });
}

Status SessionService::execute(std::string_view id, std::string_view method,
                               std::string_view suffix, std::string_view body, RelayResponse* out) {
  std::shared_ptr<Session> session = sessions_.find(id);
  if (!session)
    return unknownSession(id);
  session->noteCommand(method, suffix);
  auto started = std::chrono::steady_clock::now();
  Status status = session->execute(method, suffix, body, out);
  if (metrics_ != nullptr) {
    bool relayed = session->hasUpstream();
    metrics_->command(
        session->plugin().name(), relayed ? CommandPath::Relayed : CommandPath::InProcess,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    if (relayed && !status.isOk())
      metrics_->relayError(session->plugin().name());
  }
  return afterCommand(id, method, suffix, std::move(status), out);
}

bool SessionService::beginRelay(std::string_view id, std::string_view method,
                                std::string_view suffix, RelayedCommand* out) {
  std::shared_ptr<Session> session = sessions_.find(id);
  if (!session)
    return false;
  Status status;
  Upstream* upstream = session->beginRelay(&status);
  if (upstream == nullptr)
    return false;
  out->timeout = session->commandTimeout();
  out->started = std::chrono::steady_clock::now();
  session->noteCommand(method, suffix);
  out->session = std::move(session);
  out->upstream = upstream;
  out->id.assign(id);
  out->method.assign(method);
  out->suffix.assign(suffix);
  return true;
}

Status SessionService::finishRelay(RelayedCommand& command, std::string_view body, Status status,
                                   RelayResponse* out) {
  command.upstream = nullptr;
  if (metrics_ != nullptr) {
    const std::string& plugin = command.session->plugin().name();
    metrics_->command(
        plugin, CommandPath::Relayed,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - command.started).count());
    if (!status.isOk())
      metrics_->relayError(plugin);
  }
  status =
      command.session->finishRelay(command.method, command.suffix, body, std::move(status), out);
  return afterCommand(command.id, command.method, command.suffix, std::move(status), out);
}

Status SessionService::afterCommand(std::string_view id, std::string_view method,
                                    std::string_view suffix, Status status, RelayResponse* out) {
  // Why the backend's session is gone, when it is: its browser died or quit and the driver
  // says so, the in-process plugin says so, or the driver itself is gone.
  std::string ended;
  if (status.isOk() && out->status == 404 && !(method == "DELETE" && suffix.empty()) &&
      out->body.find("\"invalid session id\"") != std::string::npos) {
    ended = "its browser ended it: " + out->body.substr(0, 300);
  } else if (!status.isOk() && status.code() == ErrorCode::InvalidSessionId &&
             sessions_.endReason(id).empty()) {
    ended = "its browser ended it: " + status.message();
  } else if (!status.isOk() && status.code() == ErrorCode::UnknownError) {
    std::shared_ptr<Session> session = sessions_.find(id);
    std::string cause;
    if (session && session->backendGone(&cause))
      ended = cause + " at " + wallClockNow();
  }
  // End ours too, at once: the slot frees, and this and later commands get the same answer.
  // The teardown runs on the janitor's thread, not on the caller's.
  if (!ended.empty()) {
    if (auto session = sessions_.take(id, ended)) {
      session->markEnded(EndCause::Crashed);
      log(LogLevel::Warn, "session", std::string(id) + ": " + ended + "; closing",
          LogFields{id, session->plugin().name()});
      closeInBackground(std::move(session), 1011);
    }
  }
  if (!status.isOk() && (status.code() == ErrorCode::InvalidSessionId || !ended.empty())) {
    std::string reason = sessions_.endReason(id);
    if (!reason.empty())
      return Status(ErrorCode::InvalidSessionId,
                    "session " + std::string(id) + " has ended: " + reason);
  }
  return status;
}

std::size_t SessionService::sessionSlotsInUse() const {
  std::size_t inUse = slots_.inUse();
  std::size_t warm = warm_.ready() + warm_.starting();
  return inUse > warm ? inUse - warm : 0;
}

MetricsSnapshot SessionService::metricsSnapshot() const {
  MetricsSnapshot now;
  for (const auto& plugin : registry_.plugins())
    now.sessions[plugin->name()] = {0, 0, 0};
  for (const auto& session : sessions_.all())
    ++now.sessions[session->plugin().name()][static_cast<std::size_t>(SessionState::Active)];
  {
    std::lock_guard<std::mutex> lock(countsMutex_);
    for (const auto& [plugin, count] : starting_)
      now.sessions[plugin][static_cast<std::size_t>(SessionState::Starting)] = count;
    for (const auto& [plugin, count] : closingByPlugin_)
      now.sessions[plugin][static_cast<std::size_t>(SessionState::Closing)] = count;
  }
  now.maxSessions = slots_.maxSessions();
  now.queued = slots_.queued();
  now.draining = draining_.load();
  now.warmBrowsers = warm_.ready();
  now.sessionObjects = Session::liveObjects();
  if (services_.processes != nullptr) {
    now.processes = services_.processes->size();
    now.warmDrivers = services_.processes->pidsOwnedBy("").size();
  }
  return now;
}

Status SessionService::sessionFiles(std::string_view id, std::string_view method,
                                    std::string_view suffix, std::string_view body,
                                    std::string* response) {
  std::shared_ptr<Session> session = sessions_.find(id);
  if (!session)
    return unknownSession(id);
  session->noteActivity();
  if (suffix == "/se/file") {
    if (services_.tempDirs == nullptr)
      return Status(ErrorCode::UnsupportedOperation, "this host has no temp directory");
    return uploadFile(*services_.tempDirs, session->id(), body, session->uploads(), response);
  }
  return serveDownloads(session->downloadDir(), method, body, response);
}

std::string SessionService::statusJson() const {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  // A slot held by a browser started ahead is a New Session's for the taking.
  bool haveFreeSlot = slots_.hasFreeSlot("") || warm_.ready() > 0;
  bool draining = draining_.load();
  bool ready = !registry_.plugins().empty() && haveFreeSlot && !draining;
  std::string message = draining ? "wdhost is draining: no new sessions; it exits once its " +
                                       std::to_string(sessionsRunning()) + " running session(s) end"
                        : registry_.plugins().empty() ? "wdhost has no browser plugin loaded"
                        : !haveFreeSlot ? "wdhost is at its session limit; new sessions queue"
                                        : "wdhost is ready";
  rapidjson::Value value(rapidjson::kObjectType);
  value.AddMember("ready", ready, a);
  value.AddMember("draining", draining, a);
  value.AddMember("message", rapidjson::Value(message.c_str(), a), a);
  rapidjson::Value build(rapidjson::kObjectType);
  build.AddMember("version", rapidjson::StringRef(kHostVersion), a);
  value.AddMember("build", build, a);
  value.AddMember("sessions", static_cast<std::uint64_t>(sessionSlotsInUse()), a);
  value.AddMember("closing", static_cast<std::uint64_t>(closing_->load()), a);
  value.AddMember("maxSessions", static_cast<std::uint64_t>(slots_.maxSessions()), a);
  value.AddMember("queued", static_cast<std::uint64_t>(slots_.queued()), a);
  value.AddMember("warm", static_cast<std::uint64_t>(warm_.ready()), a);
  value.AddMember("sessionTimeout", static_cast<std::int64_t>(settings_.idleTimeout.count()), a);
  rapidjson::Value plugins(rapidjson::kArrayType);
  for (const auto& plugin : registry_.plugins()) {
    rapidjson::Value entry(rapidjson::kObjectType);
    entry.AddMember("name", rapidjson::Value(plugin->name().c_str(), a), a);
    entry.AddMember("version", rapidjson::Value(plugin->identity().version.c_str(), a), a);
    auto limit = settings_.maxSessionsPerPlugin.find(plugin->name());
    if (limit != settings_.maxSessionsPerPlugin.end())
      entry.AddMember("maxSessions", static_cast<std::uint64_t>(limit->second), a);
    if (plugin->description().document)
      entry.AddMember("description", rapidjson::Value(*plugin->description().document, a), a);
    plugins.PushBack(entry, a);
  }
  value.AddMember("plugins", plugins, a);
  doc.AddMember("value", value, a);
  return toJson(doc);
}

void SessionService::drain() {
  if (draining_.exchange(true))
    return;
  slots_.close("wdhost is draining: it takes no new sessions and exits once its running "
               "sessions end; start this session on another host");
  for (auto& browser : warm_.close())
    discardWarm(std::move(browser));
  log(LogLevel::Info, "host",
      "draining: no new sessions; " + std::to_string(sessionsRunning()) +
          " session(s) still running");
}

void SessionService::closeAll(const std::string& reason, EndCause cause) {
  // No session starts from here on: queued requests are answered, launches that finish are
  // closed at once.
  slots_.close(kHostShuttingDown);
  // Browsers started ahead go too, those still starting as soon as they are up.
  for (auto& browser : warm_.close())
    discardWarm(std::move(browser));
  {
    std::lock_guard<std::mutex> lock(warmLaunchesMutex_);
    for (auto& launch : warmLaunches_)
      launch.wait();
    warmLaunches_.clear();
  }
  janitor_.stop();
  std::vector<std::shared_ptr<Session>> all = sessions_.takeAll(reason);
  for (auto& session : all)
    session->markEnded(cause);
  std::vector<std::future<void>> pending;
  pending.reserve(all.size());
  for (auto& session : all)
    pending.push_back(std::async(std::launch::async, [this, session] { closeSession(session); }));
  for (auto& done : pending)
    done.wait();
}

} // namespace wdh
