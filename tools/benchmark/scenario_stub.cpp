// Scenario "stub": the host's own cost against a fast stub upstream: added latency on one
// connection (interleaved), and relay throughput at 1, 8 and 64 connections.
#include "load.h"
#include "scenarios.h"
#include "stub_upstream.h"

#include <cstdio>

namespace bench {

void runStub(const Options& options, const Counts& counts, Report& report) {
  StubUpstream stub;
  Wdhost host(options, stubHostArgs(options, stub.port()), "stub");
  HttpConnection toStub(stub.port());
  HttpConnection toHost(host.port());
  std::vector<std::string> ids;
  for (int i = 0; i < counts.throughputSessions; ++i)
    ids.push_back(createSession(toHost, stubBody()));

  std::string hostPath = "/session/" + ids[0] + "/url";
  Samples d, h;
  interleave(
      counts.warmup, counts.stubRounds, [&] { expectGet(toStub, "/session/stub/url"); },
      [&] { expectGet(toHost, hostPath); }, &d, &h);
  Summary sd = summarize(d), sh = summarize(h);
  report.latency("GET /url stub direct", sd);
  report.latency("GET /url stub through wdhost", sh);
  report.info("added by wdhost (p90, p99)",
              formatMicros(sh.p90 - sd.p90) + ", " + formatMicros(sh.p99 - sd.p99));
  report.check("added by wdhost, median", formatMicros(sh.median - sd.median), "< 50 us",
               sh.median - sd.median < 50.0);
  report.info("latency ratio (median)", formatRatio(sh.median / sd.median));

  auto direct = [](int, long) { return std::string("/session/stub/url"); };
  auto relayed = [&ids](int connection, long) {
    return "/session/" + ids[static_cast<std::size_t>(connection) % ids.size()] + "/url";
  };
  long errors = 0;
  for (int connections : {1, 8, 64}) {
    LoadResult ld, lh;
    interleavedLoad(stub.port(), direct, host.port(), relayed, connections, counts.segment,
                    counts.segments, &ld, &lh);
    errors += ld.errors + lh.errors;
    std::string label = std::to_string(connections) + " conn";
    char rates[96];
    std::snprintf(rates, sizeof rates, "stub %.0f req/s, wdhost %.0f req/s", ld.requestsPerSecond,
                  lh.requestsPerSecond);
    report.info("throughput, " + label, rates);
    report.latency("latency via wdhost, " + label, summarize(lh.latencies));
    report.check("throughput ratio, " + label,
                 formatRatio(lh.requestsPerSecond / ld.requestsPerSecond), ">= 0.50x",
                 lh.requestsPerSecond >= 0.5 * ld.requestsPerSecond);
  }
  report.check("stub load errors", std::to_string(errors), "0", errors == 0);
  for (const std::string& id : ids)
    deleteSession(toHost, id);
}

} // namespace bench
