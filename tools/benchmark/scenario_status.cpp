// Scenario "status": GET /status answered by wdhost vs by chromedriver, 1 and 4 connections.
#include "load.h"
#include "scenarios.h"

#include <cstdio>

namespace bench {
namespace {

std::string rate(double perSecond) {
  char text[32];
  std::snprintf(text, sizeof text, "%.0f req/s", perSecond);
  return text;
}

} // namespace

void runStatus(const Options& options, const Counts& counts, Report& report) {
  Chromedriver driver(options);
  Wdhost host(options, {"--plugin", "chrome"}, "status");

  HttpConnection toDriver(driver.port());
  HttpConnection toHost(host.port());
  Samples d, h;
  interleave(
      counts.warmup, counts.statusRounds, [&] { expectGet(toDriver, "/status"); },
      [&] { expectGet(toHost, "/status"); }, &d, &h);
  Summary sd = summarize(d), sh = summarize(h);
  report.latency("/status chromedriver, 1 conn", sd);
  report.latency("/status wdhost, 1 conn", sh);
  report.check("/status median ratio, 1 conn", formatRatio(sh.median / sd.median), "<= 1.00x",
               sh.median <= sd.median);

  auto status = [](int, long) { return std::string("/status"); };
  LoadResult ld, lh;
  interleavedLoad(driver.port(), status, host.port(), status, 4, counts.segment, counts.segments,
                  &ld, &lh);
  report.info("/status chromedriver, 4 conns", rate(ld.requestsPerSecond));
  report.latency("/status chromedriver, 4 conns", summarize(ld.latencies));
  report.info("/status wdhost, 4 conns", rate(lh.requestsPerSecond));
  report.latency("/status wdhost, 4 conns", summarize(lh.latencies));
  report.check("/status throughput ratio, 4 conns",
               formatRatio(lh.requestsPerSecond / ld.requestsPerSecond), ">= 1.00x",
               lh.requestsPerSecond >= ld.requestsPerSecond);
  report.check("/status errors", std::to_string(ld.errors + lh.errors), "0",
               ld.errors + lh.errors == 0);
}

} // namespace bench
