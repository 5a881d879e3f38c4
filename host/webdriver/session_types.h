// What the session service's parts share: its settings, how a New Session is asked for and
// answered, and a command relayed by its caller.
#pragma once

#include "core/status.h"
#include "relay/upstream.h"
#include "session/session.h"
#include "webdriver/trace_ask.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

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

// A hand-off link to the live view, asked for with New Session (wdhost:liveView).
struct LiveViewAsk {
  bool asked = false;                     // answer with wdhost:liveViewUrl
  bool control = false;                   // the link lets its holder take control
  std::chrono::seconds lifetime{15 * 60}; // how long the link lasts
};

// What New Session asked of the host beyond the plugin's capabilities.
struct LaunchAsks {
  bool bidi = false;      // webSocketUrl: true
  bool downloads = false; // se:downloadsEnabled: true
  LiveViewAsk liveView;   // wdhost:liveView
  TraceAsk trace;         // wdhost:trace
};

// Makes hand-off links to sessions' live views (the live view implements it).
class LiveLinkIssuer {
public:
  virtual ~LiveLinkIssuer() = default;
  // A link to live session `sessionId` as `ask` says: Ok with its secret in *secret.
  virtual Status issueLink(const std::string& sessionId, const LiveViewAsk& ask,
                           std::string* secret) = 0;
};

// A live session, as the sessions API lists it.
struct SessionSummary {
  std::string id;              // the session id
  std::int64_t lastAccessedMs; // wall-clock time of its last command, ms since the epoch
};

// A command begun by CommandPath::beginRelay() and relayed by the caller. Destroying it
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
  std::uint64_t traceCommand = 0; // its number in the session's trace, 0 when not traced
};

} // namespace wdh
