// Scenario "relay": a cheap command straight to chromedriver vs through wdhost, interleaved.
#include "load.h"
#include "scenarios.h"

namespace bench {

Counts countsFor(bool smoke) {
  Counts counts;
  if (smoke) {
    counts.warmup = 5;
    counts.relayRounds = 30;
    counts.statusRounds = 30;
    counts.newSessions = 1;
    counts.stubRounds = 100;
    counts.segment = std::chrono::milliseconds(200);
    counts.segments = 1;
    counts.scaleSessions = 20;
    counts.scaleRounds = 40;
    counts.throughputSessions = 8;
    counts.bidiRounds = 30;
    counts.churnRounds = 1;
    counts.churnWorkMs = 500;
    counts.floodWaiters = 50;
    counts.floodRounds = 30;
    counts.warmLaunchRounds = 1;
    counts.warmLaunchQuiet = 20;
  }
  return counts;
}

void runRelay(const Options& options, const Counts& counts, Report& report) {
  TempDir profile(options.workDir, "profile");
  Chromedriver driver(options);
  Wdhost host(options, {"--plugin", "chrome"}, "relay");
  Session direct(driver.port(), directChromeBody(options, profile.path()));
  Session relayed(host.port(), wdhostChromeBody());

  HttpConnection toDriver(driver.port());
  HttpConnection toHost(host.port());
  std::string directPath = "/session/" + direct.id() + "/url";
  std::string hostPath = "/session/" + relayed.id() + "/url";
  Samples d, h;
  interleave(
      counts.warmup, counts.relayRounds, [&] { expectGet(toDriver, directPath); },
      [&] { expectGet(toHost, hostPath); }, &d, &h);
  Summary sd = summarize(d), sh = summarize(h);
  report.latency("GET /url chromedriver direct", sd);
  report.latency("GET /url through wdhost", sh);
  report.info("added by wdhost (median)", formatMicros(sh.median - sd.median));
  report.check("relay median ratio", formatRatio(sh.median / sd.median), "<= 1.03x",
               sh.median <= 1.03 * sd.median);
  report.check("relay p99 ratio", formatRatio(sh.p99 / sd.p99), "<= 1.10x",
               sh.p99 <= 1.10 * sd.p99);
}

} // namespace bench
