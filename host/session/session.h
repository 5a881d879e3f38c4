// One live WebDriver session: the host's id, the plugin serving it, its relay, its slot and
// its idle timer.
#pragma once

#include "core/status.h"
#include "plugin/loaded_plugin.h"
#include "relay/upstream.h"
#include "session/end_cause.h"
#include "session/slot_pool.h"
#include "session/upload_budget.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

namespace wdh {

// How a session is timed.
struct SessionTiming {
  std::chrono::seconds idleTimeout{200};             // closed this long after its last command
  std::chrono::milliseconds scriptTimeout{30000};    // the session's own WebDriver timeouts, kept
  std::chrono::milliseconds pageLoadTimeout{300000}; // current so relayed waits outlast them
  std::chrono::milliseconds implicitTimeout{0};
};

// Where a session's websockets lead upstream; empty strings when its backend has none.
struct SessionSockets {
  std::string bidi;       // ws:// URL of the driver's WebDriver BiDi endpoint
  std::string cdp;        // http:// base of the browser's DevTools endpoint (its /json/version)
  std::string publicBidi; // the host's URL clients attach BiDi at, or empty
  std::string publicCdp;  // the host's URL clients attach CDP at, or empty
};

// Who asked for a session and what it runs, as the status page shows it.
struct SessionOrigin {
  std::string api = "webdriver";                   // "webdriver" or "sessions" (the JSON API)
  std::string client;                              // the requester's address, "ip:port"
  std::string browserVersion;                      // as the backend reported it
  std::chrono::system_clock::time_point created{}; // when it became live
};

// Whether a command re-arms a session's idle timer: the client's and a person's do; the live
// view's own screenshots do not (watching alone must not keep a session alive).
enum class Activity { Counts, Quiet };

// A session created by a plugin's launch(); closed exactly once (by Delete, expiry, a crash
// of its driver, or shutdown).
class Session {
public:
  // Takes ownership of the plugin's `handle` and the slot; `upstream` is null for in-process
  // plugins.
  Session(std::string id, std::shared_ptr<LoadedPlugin> plugin, wdhost_session* handle,
          std::unique_ptr<Upstream> upstream, Slot slot, SessionTiming timing,
          std::shared_ptr<void> attachment = nullptr);
  // Closes the session if nobody did.
  ~Session();
  // Session objects alive in this process (live, being torn down, or leaked), for /metrics.
  static std::size_t liveObjects() noexcept;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // The host's session id (a UUID v4).
  const std::string& id() const noexcept { return id_; }
  // The plugin serving this session.
  const LoadedPlugin& plugin() const noexcept { return *plugin_; }

  // Sets where its websockets lead; only before the session is shared with other threads.
  void setSockets(SessionSockets sockets) { sockets_ = std::move(sockets); }
  // Where its websockets lead.
  const SessionSockets& sockets() const noexcept { return sockets_; }
  // Sets the private directory its browser downloads into (managed downloads); only before the
  // session is shared with other threads.
  void setDownloadDir(std::string dir) { downloadDir_ = std::move(dir); }
  // Its download directory, or "" when it was started without se:downloadsEnabled.
  const std::string& downloadDir() const noexcept { return downloadDir_; }
  // What its uploads (POST /se/file) have used of their budget. Thread-safe.
  UploadBudget& uploads() noexcept { return uploads_; }
  // Sets who asked for it; only before the session is shared with other threads.
  void setOrigin(SessionOrigin origin) { origin_ = std::move(origin); }
  // Who asked for it.
  const SessionOrigin& origin() const noexcept { return origin_; }
  // Remembers `method suffix` as its last command (cut to 100 characters). Thread-safe.
  void noteCommand(std::string_view method, std::string_view suffix);
  // Its last command ("POST /url"), or "". Thread-safe.
  std::string lastCommand() const;
  // Records why it ended, when it is taken out of the session map (the first cause wins).
  void markEnded(EndCause cause) noexcept {
    EndCause none = EndCause::None;
    endCause_.compare_exchange_strong(none, cause);
  }
  // True the first time only: whoever gets true tells the watchers that the session ends.
  bool firstToAnnounceEnd() noexcept { return !endAnnounced_.exchange(true); }
  // Says its slot is on its way back: its teardown has begun (before close(), by whoever took it
  // out of the session map).
  void markSlotReturning() noexcept { slot_.markReturning(); }
  // Why it ended; None while live.
  EndCause endCause() const noexcept { return endCause_.load(); }
  // Remembers the window handle the client switched to last (Switch To Window). Thread-safe.
  void noteWindow(std::string_view handle);
  // The window handle the client switched to last, or "" before any switch. Thread-safe.
  std::string window() const;
  // Re-arms the idle timer as a command would: websocket traffic keeps a session alive.
  void noteActivity() noexcept { touch(); }

  // Where its browser is shown (the plugin's "wdhost.display/1"): *json is {"x11": ":N",
  // "width": W, "height": H} or null. Only before the session is shared with other threads.
  Status display(std::string* json) const { return plugin_->display(handle_, json); }

  // True when its commands are relayed to a driver over HTTP (not run in the plugin).
  bool hasUpstream() const noexcept { return upstream_ != nullptr; }

  // Runs one command: relays it upstream or to the plugin's command hook. `suffix` is what
  // follows /session/{id} ("/url"). InvalidSessionId once the session is closed.
  Status execute(std::string_view method, std::string_view suffix, std::string_view body,
                 RelayResponse* out, Activity activity = Activity::Counts);

  // Begins a command the caller relays over HTTP itself: the session's upstream, counted as a
  // command in flight until finishRelay() or abandonRelay(). Null when the session has no
  // upstream (`*status` Ok: use execute()) or is closed (`*status` InvalidSessionId).
  Upstream* beginRelay(Status* status, Activity activity = Activity::Counts);
  // Ends a command begun with beginRelay(); `status` and `out` are what the upstream gave.
  // Returns what execute() would have returned.
  Status finishRelay(std::string_view method, std::string_view suffix, std::string_view body,
                     Status status, RelayResponse* out, Activity activity = Activity::Counts);
  // Ends a command begun with beginRelay() that will get no answer.
  void abandonRelay() noexcept;

  // After a command failed without an answer: true (with `*cause`) when the session's driver
  // is gone, i.e. nothing listens at its address any more. Asks a few times over about 50 ms,
  // so that a command racing the driver's death gets the same answer as the next one.
  bool backendGone(std::string* cause) const;

  // Tears the session down once and frees its slot; later calls do nothing. An in-process
  // command under way is cancelled first (its call context). Thread-safe.
  Status close();

  // True when no command is running and the last one ended `idleTimeout` ago or more.
  bool idleExpired(std::chrono::steady_clock::time_point now) const noexcept;
  // The idle timeout.
  std::chrono::seconds idleTimeout() const noexcept { return timing_.idleTimeout; }
  // How long a relayed command may take: longer than any of the session's own timeouts.
  std::chrono::milliseconds commandTimeout() const noexcept;
  // When the last command started or ended.
  std::chrono::steady_clock::time_point lastUsed() const noexcept;

private:
  void touch() noexcept;
  Status endCommand(std::string_view method, std::string_view suffix, std::string_view body,
                    Status status, RelayResponse* out);
  void noteTimeouts(std::string_view method, std::string_view suffix, std::string_view body,
                    const RelayResponse& response) noexcept;

  std::string id_;
  std::shared_ptr<LoadedPlugin> plugin_;
  wdhost_session* handle_;
  std::unique_ptr<Upstream> upstream_;
  Slot slot_;
  SessionTiming timing_;
  SessionSockets sockets_;
  std::string downloadDir_;
  UploadBudget uploads_;
  SessionOrigin origin_;
  mutable std::mutex lastCommandMutex_;
  std::string lastCommand_;
  std::string window_; // guarded by lastCommandMutex_
  std::atomic<EndCause> endCause_{EndCause::None};
  std::atomic<bool> endAnnounced_{false};
  std::shared_ptr<void> attachment_; // e.g. the session's forwarding proxy; freed on close
  std::atomic<std::int64_t> scriptMs_;
  std::atomic<std::int64_t> pageLoadMs_;
  std::atomic<std::int64_t> implicitMs_;
  std::mutex pluginMutex_;           // serialises calls into the plugin for this session
  std::mutex runningMutex_;          // guards running_
  CallContext* running_ = nullptr;   // the context of the in-process command under way
  std::atomic<bool> closing_{false}; // close() began: no command begins
  std::atomic<bool> closed_{false};
  std::atomic<int> inFlight_{0};
  std::atomic<std::chrono::steady_clock::rep> lastUsed_;
};

} // namespace wdh
