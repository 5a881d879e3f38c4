// The WebDriver session commands the host itself serves: New Session (with limits, a queue
// and a launch timeout), Delete Session, Status, and every other session command relayed to
// the session's backend. Idle and crashed sessions are closed in the background.
#pragma once

#include "core/job_executor.h"
#include "core/status.h"
#include "plugin/host_table.h"
#include "plugin/launch_threads.h"
#include "plugin/plugin_registry.h"
#include "relay/upstream.h"
#include "session/session_events.h"
#include "session/session_janitor.h"
#include "session/session_map.h"
#include "session/slot_pool.h"
#include "session/warm_pool.h"
#include "webdriver/client_capability_policy.h"
#include "webdriver/host_snapshot.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <rapidjson/document.h>
#include <string>
#include <string_view>
#include <vector>

namespace wdh {

// Why sessions end and New Sessions fail once the host stops.
inline constexpr const char* kHostShuttingDown = "the host is shutting down";

// Limits and timeouts of the session service.
struct SessionSettings {
  std::size_t maxSessions = 4;                             // host-wide limit
  std::map<std::string, std::size_t> maxSessionsPerPlugin; // by plugin name
  std::chrono::milliseconds queueTimeout{300000};          // wait for a slot; 0 = no queue
  std::size_t maxQueue = 1000;                             // New Sessions waiting at most
  // With no queue: how long a New Session waits for a slot whose session is being torn down.
  std::chrono::milliseconds returningWait{30000};
  std::chrono::milliseconds launchTimeout{90000}; // a plugin's launch() at most
  std::chrono::seconds idleTimeout{200};          // default per session
  std::chrono::seconds maxIdleTimeout{3600};      // bound of wdhost:sessionTimeout
  std::chrono::milliseconds teardownGrace{2000};  // SIGTERM -> SIGKILL
  std::size_t warmBrowsers = 0;                   // browsers started ahead, at most
  std::chrono::seconds warmIdle{120};             // a warm browser unused this long closes
  bool allowClientBinaries = false; // clients may send what plugins guard (--allow-client-binaries)
};

// How a New Session is asked for beyond its body.
struct NewSessionRequest {
  std::string sessionId;            // the id to use; empty = a random UUID
  std::function<bool()> clientGone; // polled while queued; may be empty
  std::shared_ptr<void> attachment; // kept alive exactly as long as the session
  std::string webSocketBase;        // "ws://host:port" its websockets are reached under
  std::string api = "webdriver";    // which API asks: "webdriver" or "sessions"
  std::string clientAddress;        // the requester's "ip:port", for the status page
  // The host built the capabilities itself (the sessions API), from no client's binaries, paths
  // or switches: the client capability policy does not apply to them.
  bool hostMadeCapabilities = false;
};

// Told once how a New Session ended: Ok with the JSON reply and the session's id, or the error.
using NewSessionDone =
    std::function<void(Status status, std::string response, std::string sessionId)>;

// What New Session asked of the host beyond the plugin's capabilities.
struct LaunchAsks {
  bool bidi = false;      // webSocketUrl: true
  bool downloads = false; // se:downloadsEnabled: true
};

// A live session, as the sessions API lists it.
struct SessionSummary {
  std::string id;              // the session id
  std::int64_t lastAccessedMs; // wall-clock time of its last command, ms since the epoch
};

// A command begun by SessionService::beginRelay() and relayed by the caller. Destroying it
// unfinished abandons the command (the session stops counting it in flight).
class RelayedCommand {
public:
  RelayedCommand() = default;
  RelayedCommand(const RelayedCommand&) = delete;
  RelayedCommand& operator=(const RelayedCommand&) = delete;
  ~RelayedCommand() {
    if (session && upstream)
      session->abandonRelay();
  }

  std::shared_ptr<Session> session;                // kept alive while the command runs
  Upstream* upstream = nullptr;                    // the session's upstream; null once finished
  std::string id;                                  // the host's session id
  std::string method;                              // e.g. "GET"
  std::string suffix;                              // what follows /session/{id}, e.g. "/url"
  std::chrono::milliseconds timeout{0};            // how long the upstream may take
  std::chrono::steady_clock::time_point started{}; // when it began, for wdhost_command_seconds
};

// Creates, relays and closes sessions; thread-safe.
class SessionService {
public:
  // Borrowed references must outlive the service. Watches the processes the plugins start
  // (through `services.processes`) to close a session as soon as its driver ends.
  SessionService(const PluginRegistry& registry, SessionMap& sessions, HostServices services,
                 SessionSettings settings);
  ~SessionService();

  // Starts the background sweeper (idle timeouts, crashed drivers).
  void start();

  // Tells `events` (which must outlive the service) of every session event from now on; before
  // start(). Any number may watch.
  void addObserver(SessionEvents* events) { observers_.push_back(events); }

  // True when the peer of the accepted loopback socket `fd` is a process of session `id` (its
  // driver, its browser or any of their descendants).
  bool isSessionPeer(const std::string& id, int fd) const;

  // The live session `id`, or null.
  std::shared_ptr<Session> find(std::string_view id) const { return sessions_.find(id); }
  // InvalidSessionId for `id`, saying why it ended when the host knows.
  Status unknownSession(std::string_view id) const;

  // New Session (`body` is the request body) without a thread waiting in the queue: the
  // capabilities are matched on this thread; a request that must wait for a slot holds none
  // (request.clientGone is polled meanwhile), and its launch runs on the job executor. `done`
  // is called exactly once, on this thread or an executor's.
  void startNewSession(std::string body, NewSessionRequest request, NewSessionDone done);

  // startNewSession() waited for on this thread; *sessionId is the id created.
  Status newSession(std::string_view body, const NewSessionRequest& request, std::string* response,
                    std::string* sessionId);

  // Runs launches and what follows a wait in the queue on `jobs` (must outlive the service;
  // set before start()). Unset, the service uses an executor of its own.
  void setJobExecutor(JobExecutor* jobs) noexcept { jobs_ = jobs; }

  // True when a session with `id` is live.
  bool exists(std::string_view id) const { return sessions_.find(id) != nullptr; }

  // Every live session with its last access time.
  std::vector<SessionSummary> list() const;

  // The host-wide session limit.
  std::size_t maxSessions() const noexcept { return slots_.maxSessions(); }
  // Slots taken by sessions now (live, launching, tearing down), not by browsers started ahead.
  std::size_t sessionSlotsInUse() const;
  // Teardowns under way.
  std::size_t closingCount() const { return closing_->load(); }
  // The idle timeout a session gets unless it asks for another.
  std::chrono::seconds defaultIdleTimeout() const noexcept { return settings_.idleTimeout; }
  // Every live session.
  std::vector<std::shared_ptr<Session>> liveSessions() const { return sessions_.all(); }
  // The loaded plugins.
  const PluginRegistry& registry() const noexcept { return registry_; }

  // Delete Session: the session stops being routable at once and its websockets get a close
  // frame; the teardown (driver, browser, processes, files) goes on in the background, its slot
  // taken until it is done. InvalidSessionId if unknown.
  Status deleteSession(std::string_view id);

  // Any other session command, relayed as is; `suffix` follows /session/{id}.
  Status execute(std::string_view id, std::string_view method, std::string_view suffix,
                 std::string_view body, RelayResponse* out);

  // Begins command `method suffix` on session `id` for the caller to relay over HTTP itself
  // (without a thread waiting on the driver). False, with nothing begun, when the session is
  // unknown, closed or served in-process: execute() then answers the command.
  bool beginRelay(std::string_view id, std::string_view method, std::string_view suffix,
                  RelayedCommand* out);
  // Ends a command begun with beginRelay(); `status` and `out` are what its upstream gave.
  // Returns (and leaves in `out`) what execute() would have for the same answer.
  Status finishRelay(RelayedCommand& command, std::string_view body, Status status,
                     RelayResponse* out);

  // Serves a session's managed files (Grid's /se/file upload and /se/files downloads) in the
  // host, for every backend; *response is the JSON reply on success.
  Status sessionFiles(std::string_view id, std::string_view method, std::string_view suffix,
                      std::string_view body, std::string* response);

  // The /status reply.
  std::string statusJson() const;

  // Drain: from now on New Session is refused (queued requests too), so that a scheduler
  // starts it elsewhere; running sessions go on. Idempotent.
  void drain();
  // True once drain() ran.
  bool draining() const noexcept { return draining_.load(); }
  // Sessions live or still being torn down.
  std::size_t sessionsRunning() const { return sessions_.size() + closing_->load(); }

  // Stops the sweeper and closes every session in parallel, each ended for `reason` (counted
  // as `cause`); returns when all are gone. Launches under way are cancelled and waited for at
  // most kLaunchStopBound; see launchesStillRunning().
  void closeAll(const std::string& reason = "the host shut down",
                EndCause cause = EndCause::Shutdown);
  // Plugin launches that did not return within closeAll()'s bound (they ignored their
  // cancellation): the host exits without waiting for them.
  std::size_t launchesStillRunning() const { return launches_.running(); }
  // How long closeAll() waits for launches under way after cancelling them.
  static constexpr std::chrono::seconds kLaunchStopBound{10};

  // The host's state as /metrics and the status page report it (without the server's own
  // figures: websockets).
  HostSnapshot snapshot() const;

private:
  Status afterCommand(std::string_view id, std::string_view method, std::string_view suffix,
                      Status status, RelayResponse* out);

  struct PendingStart;
  // Matches the capabilities to a plugin and negotiates: fills start->plugin and what it
  // accepted.
  Status choose(std::string_view body, PendingStart* start);
  // A warm browser handed over, or a slot asked for (queueing without a thread).
  void beginStart(const std::shared_ptr<PendingStart>& start);
  // Launches on the slot the start holds, makes the session live and answers.
  void launchAndFinish(const std::shared_ptr<PendingStart>& start);
  // Makes the launched session live and answers `done`.
  void finishStart(const std::shared_ptr<PendingStart>& start);
  // Answers `done` with a failure.
  void failStart(const std::shared_ptr<PendingStart>& start, Status status);
  // launch() on a launch thread, bounded by --launch-timeout (the plugin is told its deadline
  // and cancelled when it passes); on failure nothing of `id` is left.
  Status launchOn(const std::shared_ptr<LoadedPlugin>& plugin, const std::string& id,
                  const std::string& capabilities, wdhost_session** handle, std::string* reply);
  // What a launched backend becomes: a live, routable session.
  struct Launched {
    std::shared_ptr<LoadedPlugin> plugin;
    std::string id;
    wdhost_session* handle = nullptr;
    std::string reply;        // launch()'s reply
    std::string capabilities; // what launch() was given
    std::string downloadDir;  // "" without managed downloads
    Slot slot;
  };
  Status becomeLive(Launched launched, SessionTiming timing, LaunchAsks asks,
                    const NewSessionRequest& request, std::string* response);
  // Warm browsers: start one for `key` in the background if a slot is free and none is ready.
  void replenish(const std::shared_ptr<LoadedPlugin>& plugin, const std::string& key,
                 const std::string& accepted, LaunchAsks asks);
  // A warm browser as a session that never became live, to be closed.
  static std::shared_ptr<Session> asSession(std::unique_ptr<WarmBrowser> browser);
  // Tears a warm browser down in the background; its slot frees when done.
  void discardWarm(std::unique_ptr<WarmBrowser> browser);
  // Closes warm browsers unused for --warm-idle (each sweep).
  void sweepWarm();
  Status hostTiming(const rapidjson::Value& hostCaps, const std::string& accepted,
                    SessionTiming* timing) const;
  void reclaim(const std::string& sessionId);
  void closeSession(const std::shared_ptr<Session>& session, std::uint16_t closeCode = 1001);
  void closeInBackground(std::shared_ptr<Session> session, std::uint16_t closeCode);

  const PluginRegistry& registry_;
  SessionMap& sessions_;
  HostServices services_;
  SessionSettings settings_;
  SlotPool slots_;
  ClientCapabilityPolicy policy_; // what clients may not send, from every plugin's description
  std::shared_ptr<CrashInbox> crashes_;
  std::shared_ptr<std::atomic<std::size_t>> closing_; // sessions whose teardown is under way
  SessionJanitor janitor_;
  // Tells every observer.
  template <typename Event>
  void tell(const Event& event) const {
    for (SessionEvents* observer : observers_)
      event(*observer);
  }
  // Tells every observer of a command that took since `started`.
  void countCommand(const std::string& plugin, CommandPath path,
                    std::chrono::steady_clock::time_point started, bool failed) const;

  std::vector<SessionEvents*> observers_;
  std::atomic<bool> draining_{false};
  mutable std::mutex countsMutex_;
  std::map<std::string, std::size_t> starting_;        // launches under way, by plugin
  std::map<std::string, std::size_t> closingByPlugin_; // teardowns under way, by plugin
  WarmPool warm_;
  std::unique_ptr<JobExecutor> ownJobs_; // used when no executor was set
  JobExecutor* jobs_ = nullptr;          // runs launches after a wait in the queue
  LaunchThreads launches_; // plugins' launch() calls and warm launches; last: stopped first
};

} // namespace wdh
