// The live sessions and how they end: what the session service's parts share (the plugins, the
// session map, the slots, the browsers started ahead, who watches), Delete Session, the
// teardowns in the background, idle and crashed sessions closed by the janitor, drain, and the
// closing of everything at shutdown.
#pragma once

#include "plugin/host_table.h"
#include "plugin/plugin_registry.h"
#include "recording/recordings.h"
#include "session/session_events.h"
#include "session/session_janitor.h"
#include "session/session_map.h"
#include "session/slot_pool.h"
#include "session/warm_pool.h"
#include "webdriver/command_tracer.h"
#include "webdriver/session_types.h"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace wdh {

// Thread-safe. The other parts (SessionStarter, CommandPath, HostStatus) hold a reference.
class SessionLifecycle {
public:
  // Borrowed references must outlive it. Watches the processes the plugins start (through
  // `services.processes`) to close a session as soon as its driver ends.
  SessionLifecycle(const PluginRegistry& registry, SessionMap& sessions, HostServices services,
                   SessionSettings settings);
  // Stops the janitor.
  ~SessionLifecycle();
  SessionLifecycle(const SessionLifecycle&) = delete;
  SessionLifecycle& operator=(const SessionLifecycle&) = delete;

  // Starts the janitor (idle timeouts, crashed drivers, browsers started ahead left unused).
  void start();
  // Tells `events` (which must outlive this) of every session event from now on; before
  // start(). Any number may watch.
  void addObserver(SessionEvents* events) { observers_.push_back(events); }
  // Tells every observer: `event(observer)` for each.
  template <typename Event>
  void tell(const Event& event) const {
    for (SessionEvents* observer : observers_)
      event(*observer);
  }
  // Records sessions with `recordings` (which must outlive this; it is also told of every
  // session's end); before start(). Unset, no session is recorded.
  void setRecordings(Recordings* recordings) {
    recordings_ = recordings;
    addObserver(recordings);
  }
  // The recorder, or null.
  Recordings* recordings() const noexcept { return recordings_; }
  // Makes the links New Session's wdhost:liveView asks for with `links` (which must outlive
  // this); before start(). Unset, wdhost:liveView is refused.
  void setLiveLinks(LiveLinkIssuer* links) { liveLinks_ = links; }
  // The link maker, or null.
  LiveLinkIssuer* liveLinks() const noexcept { return liveLinks_; }
  // Traces sessions with `tracer` (which must outlive this); before start(). Unset, wdhost:trace
  // is refused and nothing is traced.
  void setTracer(CommandTracer* tracer) { tracer_ = tracer; }
  // The tracer, or null.
  CommandTracer* tracer() const noexcept { return tracer_; }
  // True when someone watches (telling costs nothing otherwise).
  bool watched() const noexcept { return !observers_.empty(); }

  // The loaded plugins.
  const PluginRegistry& registry() const noexcept { return registry_; }
  // The live sessions.
  SessionMap& sessions() noexcept { return sessions_; }
  const SessionMap& sessions() const noexcept { return sessions_; }
  // The host's processes and temp dirs.
  const HostServices& services() const noexcept { return services_; }
  // Limits and timeouts.
  const SessionSettings& settings() const noexcept { return settings_; }
  // The session slots and their queue.
  SlotPool& slots() noexcept { return slots_; }
  const SlotPool& slots() const noexcept { return slots_; }
  // The browsers started ahead.
  WarmPool& warm() noexcept { return warm_; }
  const WarmPool& warm() const noexcept { return warm_; }

  // The live session `id`, or null.
  std::shared_ptr<Session> find(std::string_view id) const { return sessions_.find(id); }
  // True when a session with `id` is live.
  bool exists(std::string_view id) const { return sessions_.find(id) != nullptr; }
  // Every live session.
  std::vector<std::shared_ptr<Session>> liveSessions() const { return sessions_.all(); }
  // Every live session with its last access time.
  std::vector<SessionSummary> list() const;
  // InvalidSessionId for `id`, saying why it ended when the host knows.
  Status unknownSession(std::string_view id) const;
  // True when the peer of the accepted loopback socket `fd` is a process of session `id` (its
  // driver, its browser or any of their descendants).
  bool isSessionPeer(const std::string& id, int fd) const;

  // Delete Session: the session stops being routable at once and its websockets get a close
  // frame; the teardown (driver, browser, processes, files) goes on in the background, its slot
  // taken until it is done. InvalidSessionId if unknown.
  Status deleteSession(std::string_view id);
  // Tears `session` (already out of the map) down on this thread: its watchers hear first
  // (`closeCode` for its websockets), then its backend, processes and files go.
  void closeSession(const std::shared_ptr<Session>& session, std::uint16_t closeCode = 1001);
  // The same, on the janitor's teardown threads; its slot is on its way back meanwhile.
  void closeInBackground(std::shared_ptr<Session> session, std::uint16_t closeCode);
  // Terminates what is still owned by `sessionId`: processes and temp dirs.
  void reclaim(const std::string& sessionId);

  // A warm browser as a session that never became live, to be closed.
  static std::shared_ptr<Session> asSession(std::unique_ptr<WarmBrowser> browser);
  // Tears a warm browser down in the background; its slot frees when done.
  void discardWarm(std::unique_ptr<WarmBrowser> browser);

  // Counts a launch of `plugin` under way while the returned guard lives.
  std::shared_ptr<void> countStarting(const std::string& plugin);
  // Launches and teardowns under way, by plugin.
  void countsByPlugin(std::map<std::string, std::size_t>* starting,
                      std::map<std::string, std::size_t>* closing) const;
  // Teardowns under way.
  std::size_t closingCount() const { return closing_->load(); }
  // Sessions live or still being torn down.
  std::size_t sessionsRunning() const { return sessions_.size() + closing_->load(); }

  // Drain: from now on New Session is refused (queued requests too), so that a scheduler
  // starts it elsewhere; running sessions go on. Idempotent.
  void drain();
  // True once drain() ran.
  bool draining() const noexcept { return draining_.load(); }
  // Refuses every later and queued New Session with `reason`, and closes the browsers started
  // ahead (those still starting once they are up).
  void stopStarting(const std::string& reason);
  // Stops the janitor and closes every session in parallel, each ended for `reason` (counted
  // as `cause`); returns when all are gone.
  void closeAll(const std::string& reason, EndCause cause);

private:
  void sweepWarm();

  const PluginRegistry& registry_;
  SessionMap& sessions_;
  HostServices services_;
  SessionSettings settings_;
  SlotPool slots_;
  std::shared_ptr<CrashInbox> crashes_;
  std::shared_ptr<std::atomic<std::size_t>> closing_; // sessions whose teardown is under way
  std::vector<SessionEvents*> observers_;
  CommandTracer* tracer_ = nullptr;
  Recordings* recordings_ = nullptr;
  LiveLinkIssuer* liveLinks_ = nullptr;
  std::atomic<bool> draining_{false};
  mutable std::mutex countsMutex_;
  std::map<std::string, std::size_t> starting_;        // launches under way, by plugin
  std::map<std::string, std::size_t> closingByPlugin_; // teardowns under way, by plugin
  WarmPool warm_;
  SessionJanitor janitor_; // last: its thread stops before the rest goes
};

} // namespace wdh
