// Tests of the host's Prometheus metrics: names, labels and what the snapshot sets.
#include "metrics/host_metrics.h"

#include <doctest/doctest.h>

using namespace wdh;

namespace {

bool has(const std::string& text, const std::string& line) {
  return text.find(line) != std::string::npos;
}

} // namespace

TEST_CASE("metrics: counters and histograms by plugin, gauges from the snapshot") {
  HostMetrics metrics;
  metrics.sessionCreated("chrome", 0.7);
  metrics.sessionFailed("none", "session not created");
  metrics.sessionClosed("chrome", EndCause::Idle);
  metrics.command("chrome", CommandPath::Relayed, 0.004, true);
  HostSnapshot now;
  now.sessions["chrome"] = {1, 2, 3};
  now.sessions["firefox"] = {0, 0, 0};
  now.maxSessions = 4;
  now.queued = 5;
  now.webSocketBytesToClient = 42;
  std::string text = metrics.render(now);
  CHECK(has(text, "wdhost_sessions{plugin=\"chrome\",state=\"starting\"} 1\n"));
  CHECK(has(text, "wdhost_sessions{plugin=\"chrome\",state=\"active\"} 2\n"));
  CHECK(has(text, "wdhost_sessions{plugin=\"chrome\",state=\"closing\"} 3\n"));
  CHECK(has(text, "wdhost_sessions{plugin=\"firefox\",state=\"active\"} 0\n"));
  CHECK(has(text, "wdhost_sessions_max 4\n"));
  CHECK(has(text, "wdhost_queue_length 5\n"));
  CHECK(has(text, "wdhost_sessions_created_total{plugin=\"chrome\"} 1\n"));
  CHECK(has(text, "wdhost_sessions_failed_total{error=\"session not created\",plugin=\"none\"} 1"));
  CHECK(has(text, "wdhost_sessions_closed_total{plugin=\"chrome\",reason=\"idle\"} 1\n"));
  CHECK(has(text,
            "wdhost_command_seconds_bucket{path=\"relayed\",plugin=\"chrome\",le=\"0.005\"} 1"));
  CHECK(has(text, "wdhost_new_session_seconds_count{plugin=\"chrome\"} 1\n"));
  CHECK(has(text, "wdhost_relay_errors_total{plugin=\"chrome\"} 1\n"));
  CHECK(has(text, "wdhost_websocket_bytes_total{direction=\"to_client\"} 42\n"));
  CHECK(has(text, "# TYPE wdhost_command_seconds histogram"));
  CHECK(has(text, "wdhost_resident_memory_bytes "));

  // Running totals only ever raise their counters; gauges follow the snapshot down.
  now.sessions["chrome"] = {0, 0, 0};
  now.webSocketBytesToClient = 50;
  text = metrics.render(now);
  CHECK(has(text, "wdhost_sessions{plugin=\"chrome\",state=\"active\"} 0\n"));
  CHECK(has(text, "wdhost_websocket_bytes_total{direction=\"to_client\"} 50\n"));
}
