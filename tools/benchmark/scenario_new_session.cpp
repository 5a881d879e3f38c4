// Scenario "new-session": New Session through wdhost vs straight to a running chromedriver,
// interleaved; each session deleted (untimed) before the next.
#include "load.h"
#include "scenarios.h"

namespace bench {

void runNewSession(const Options& options, const Counts& counts, Report& report) {
  bool warm = wdhostOffers(options, "--warm-drivers");
  std::vector<std::string> args = {"--plugin", "chrome"};
  if (warm)
    args.insert(args.end(), {"--warm-drivers", "1"});
  // A cold New Session: no browser started ahead (that is what "churn" measures).
  if (wdhostOffers(options, "--warm-browsers"))
    args.insert(args.end(), {"--warm-browsers", "0"});
  report.info("wdhost mode",
              warm ? "--warm-drivers 1" : "cold (wdhost --help has no --warm-drivers)");
  Chromedriver driver(options);
  Wdhost host(options, args, "new-session");
  HttpConnection toDriver(driver.port(), std::chrono::seconds(120));
  HttpConnection toHost(host.port(), std::chrono::seconds(120));

  Samples d, h, deletes;
  for (int round = -1; round < counts.newSessions; ++round) { // one untimed warm-up round
    for (int side = 0; side < 2; ++side) {
      bool direct = (side == 0) == ((round & 1) == 0);
      TempDir profile(options.workDir, "profile");
      HttpConnection& connection = direct ? toDriver : toHost;
      std::string body = direct ? directChromeBody(options, profile.path()) : wdhostChromeBody();
      double start = nowMicros();
      std::string id = createSession(connection, body);
      double created = nowMicros();
      bool deleted = deleteSession(connection, id);
      if (round >= 0) {
        (direct ? d : h).push_back(created - start);
        if (!direct)
          deletes.push_back(nowMicros() - created);
      }
      if (!deleted)
        throw std::runtime_error("Delete Session of " + id + " failed");
    }
  }
  Summary sd = summarize(d), sh = summarize(h);
  report.latency("New Session chromedriver direct", sd);
  report.latency("New Session through wdhost", sh);
  report.latency("Delete Session through wdhost", summarize(deletes));
  report.check("New Session median ratio", formatRatio(sh.median / sd.median), "<= 1.10x",
               sh.median <= 1.10 * sd.median);
}

} // namespace bench
