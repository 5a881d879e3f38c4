// The host's Prometheus metrics (prometheus-cpp core): counters and histograms the host updates
// as sessions and commands go, gauges read from the host's state when /metrics is scraped. Labels
// are low-cardinality only (plugin, state, reason, W3C error, path): never a session id, a URL
// or a value a client chose.
#pragma once

#include "session/session_events.h"
#include "webdriver/host_snapshot.h"

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace prometheus {
class Registry;
}

namespace wdh {

// The metrics registry, counting what the session service tells it; thread-safe.
class HostMetrics : public SessionEvents {
public:
  HostMetrics();
  ~HostMetrics();
  HostMetrics(const HostMetrics&) = delete;
  HostMetrics& operator=(const HostMetrics&) = delete;

  // SessionEvents: counters and histograms of New Sessions, ends and commands.
  void sessionCreated(const std::string& plugin, double seconds) override;
  void sessionFailed(const std::string& plugin, std::string_view error) override;
  void sessionClosed(const std::string& plugin, EndCause cause) override;
  void warmHandedOver(const std::string& plugin) override;
  void command(const std::string& plugin, CommandPath path, double seconds, bool failed) override;

  // The Prometheus text exposition of every metric, the gauges set from `now` first.
  std::string render(const HostSnapshot& now);

private:
  struct Families;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<Families> families_;
  std::mutex renderMutex_;
};

} // namespace wdh
