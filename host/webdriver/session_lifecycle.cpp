#include "webdriver/session_lifecycle.h"

#include "core/log.h"
#include "process/process_supervisor.h"
#include "process/socket_owner.h"
#include "process/temp_dirs.h"

#include <future>

namespace wdh {

SessionLifecycle::SessionLifecycle(const PluginRegistry& registry, SessionMap& sessions,
                                   HostServices services, SessionSettings settings)
    : registry_(registry), sessions_(sessions), services_(services), settings_(std::move(settings)),
      slots_(settings_.maxSessions, settings_.maxSessionsPerPlugin, settings_.maxQueue),
      crashes_(std::make_shared<CrashInbox>()),
      closing_(std::make_shared<std::atomic<std::size_t>>(0)),
      janitor_(sessions, crashes_, [this](const std::shared_ptr<Session>& s) { closeSession(s); }) {
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

SessionLifecycle::~SessionLifecycle() {
  // No sweep starts another teardown from here on; what one still running uses must outlive it
  // (closeAll() waited only so long).
  janitor_.stop();
  janitor_.awaitTeardowns(std::chrono::hours(24));
}

void SessionLifecycle::start() {
  janitor_.everySweep([this] {
    sweepWarm();
    if (recordings_ != nullptr)
      recordings_->sweep();
  });
  janitor_.start();
}

bool SessionLifecycle::isSessionPeer(const std::string& id, int fd) const {
  if (services_.processes == nullptr)
    return false;
  return peerHeldBy(fd, services_.processes->pidsOwnedBy(id));
}

std::vector<SessionSummary> SessionLifecycle::list() const {
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

void SessionLifecycle::reclaim(const std::string& sessionId) {
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

void SessionLifecycle::closeSession(const std::shared_ptr<Session>& session,
                                    std::uint16_t closeCode) {
  if (session->firstToAnnounceEnd()) {
    std::string why = sessions_.endReason(session->id());
    std::string said = "session ended: " + (why.empty() ? kHostShuttingDown : why);
    tell([&](SessionEvents& o) { o.sessionEnding(session->id(), closeCode, said); });
    tell([&](SessionEvents& o) { o.sessionEndedBecause(session->id(), session->endCause()); });
  }
  // A trace takes the page as the last command left it while the browser is still there.
  if (tracer_ != nullptr && tracer_->tracing())
    tracer_->settle(session->id(), std::chrono::milliseconds(1500));
  Status status = session->close();
  if (!status.isOk())
    log(LogLevel::Warn, "session", session->id() + ": " + status.message(),
        LogFields{session->id(), session->plugin().name()});
  reclaim(session->id());
  if (session->endCause() != EndCause::None)
    tell([&](SessionEvents& o) { o.sessionClosed(session->plugin().name(), session->endCause()); });
  log(LogLevel::Info, "session", "closed " + session->id(),
      LogFields{session->id(), session->plugin().name()});
}

Status SessionLifecycle::unknownSession(std::string_view id) const {
  std::string reason = sessions_.endReason(id);
  if (!reason.empty())
    return Status(ErrorCode::InvalidSessionId,
                  "session " + std::string(id) + " has ended: " + reason);
  std::string shown(id.substr(0, 64));
  return Status(ErrorCode::InvalidSessionId,
                "no session " + shown + (id.size() > 64 ? "..." : "") + " is known to this host");
}

Status SessionLifecycle::deleteSession(std::string_view id) {
  std::shared_ptr<Session> session = sessions_.take(id, "it was deleted");
  if (!session)
    return unknownSession(id);
  session->markEnded(EndCause::Deleted);
  closeInBackground(std::move(session), 1000);
  return Status::ok();
}

void SessionLifecycle::closeInBackground(std::shared_ptr<Session> session,
                                         std::uint16_t closeCode) {
  // Its websockets hear at once; the rest of the teardown does not hold up the caller.
  if (session->firstToAnnounceEnd()) {
    std::string said = "session ended: " + sessions_.endReason(session->id());
    tell([&](SessionEvents& o) { o.sessionEnding(session->id(), closeCode, said); });
    tell([&](SessionEvents& o) { o.sessionEndedBecause(session->id(), session->endCause()); });
  }
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

void SessionLifecycle::drain() {
  if (draining_.exchange(true))
    return;
  stopStarting("wdhost is draining: it takes no new sessions and exits once its running "
               "sessions end; start this session on another host");
  log(LogLevel::Info, "host",
      "draining: no new sessions; " + std::to_string(sessionsRunning()) +
          " session(s) still running");
}

std::shared_ptr<Session> SessionLifecycle::asSession(std::unique_ptr<WarmBrowser> browser) {
  // A session that never became live: closing it tears the browser down and frees the slot.
  return std::make_shared<Session>(browser->placeholderId, browser->plugin, browser->handle,
                                   nullptr, std::move(browser->slot), SessionTiming{});
}

void SessionLifecycle::discardWarm(std::unique_ptr<WarmBrowser> browser) {
  closeInBackground(asSession(std::move(browser)), 1001);
}

void SessionLifecycle::sweepWarm() {
  for (auto& browser : warm_.takeIdle(std::chrono::steady_clock::now(), settings_.warmIdle)) {
    log(LogLevel::Debug, "session",
        browser->plugin->name() + ": a browser started ahead was unused for --warm-idle; closing",
        LogFields{{}, browser->plugin->name()});
    discardWarm(std::move(browser));
  }
}

std::shared_ptr<void> SessionLifecycle::countStarting(const std::string& plugin) {
  {
    std::lock_guard<std::mutex> lock(countsMutex_);
    ++starting_[plugin];
  }
  return std::shared_ptr<void>(nullptr, [this, plugin](void*) {
    std::lock_guard<std::mutex> lock(countsMutex_);
    --starting_[plugin];
  });
}

void SessionLifecycle::countsByPlugin(std::map<std::string, std::size_t>* starting,
                                      std::map<std::string, std::size_t>* closing) const {
  std::lock_guard<std::mutex> lock(countsMutex_);
  *starting = starting_;
  *closing = closingByPlugin_;
}

void SessionLifecycle::stopStarting(const std::string& reason) {
  slots_.close(reason);
  for (auto& browser : warm_.close())
    discardWarm(std::move(browser));
}

void SessionLifecycle::closeAll(const std::string& reason, EndCause cause) {
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
