// The host's Prometheus metrics (prometheus-cpp core): counters and histograms the host updates
// as sessions and commands go, gauges read from the host's state when /metrics is scraped. Labels
// are low-cardinality only (plugin, state, reason, W3C error, path): never a session id, a URL
// or a value a client chose.
#pragma once

#include "session/end_cause.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace prometheus {
class Registry;
}

namespace wdh {

// How a command reached its backend (wdhost_command_seconds{path}).
enum class CommandPath { Relayed, InProcess };

// A session's state as /metrics counts it.
enum class SessionState { Starting = 0, Active = 1, Closing = 2 };

// The host's state when /metrics is scraped.
struct MetricsSnapshot {
  // Sessions by plugin and state (Starting, Active, Closing); every loaded plugin is listed.
  std::map<std::string, std::array<std::size_t, 3>> sessions;
  std::size_t maxSessions = 0;               // --max-sessions
  std::size_t queued = 0;                    // New Session requests waiting for a slot
  std::size_t warmDrivers = 0;               // processes started ahead, owned by no session
  std::size_t warmBrowsers = 0;              // browsers started ahead, ready to hand over
  std::size_t processes = 0;                 // processes the host supervises
  std::size_t webSockets = 0;                // relayed websockets open
  std::uint64_t webSocketFramesToClient = 0; // frames relayed to clients (BiDi events, replies)
  std::uint64_t webSocketBytesToClient = 0;  // bytes relayed to clients
  std::uint64_t webSocketBytesToBrowser = 0; // bytes relayed to browsers
  std::int64_t webSocketBytesBuffered = 0;   // bytes held in websocket buffers now
  std::int64_t webSocketReadsHeld = 0;       // websocket directions not read: buffer full
  std::size_t sessionObjects = 0;            // Session objects alive (live, closing, or leaked)
  bool draining = false;                     // the host takes no new sessions
};

// The metrics registry; thread-safe.
class HostMetrics {
public:
  HostMetrics();
  ~HostMetrics();
  HostMetrics(const HostMetrics&) = delete;
  HostMetrics& operator=(const HostMetrics&) = delete;

  // A New Session on `plugin` succeeded after `seconds`.
  void sessionCreated(const std::string& plugin, double seconds);
  // A New Session failed with W3C error `error` ("none" as plugin when no plugin matched).
  void sessionFailed(const std::string& plugin, std::string_view error);
  // A session of `plugin` ended for `cause`.
  void sessionClosed(const std::string& plugin, EndCause cause);
  // A New Session of `plugin` got a browser started ahead.
  void warmHandedOver(const std::string& plugin);
  // A command of a session of `plugin` took `seconds`.
  void command(const std::string& plugin, CommandPath path, double seconds);
  // A relayed command of `plugin` got no answer from its driver (refused, reset, timed out).
  void relayError(const std::string& plugin);

  // The Prometheus text exposition of every metric, the gauges set from `now` first.
  std::string render(const MetricsSnapshot& now);

private:
  struct Families;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<Families> families_;
  std::mutex renderMutex_;
};

} // namespace wdh
