// Scenario "churn": New Session + Delete Session as a test suite runs them, one session per test:
// create, delete, then the test's own work (2 s) before the next create. Interleaved sides:
// chrome through wdhost (browsers started ahead) against a running chromedriver, and against
// Selenium Grid 4 standalone when --grid-jar is given; firefox and safari through wdhost against
// their own cold start (--warm-browsers 0). Back-to-back cycles (no work between) are reported
// too: they measure the machine's browser launch rate, not the host.
#include "load.h"
#include "scenarios.h"

#include <functional>
#include <thread>

namespace bench {
namespace {

// One side of the comparison: where New Session goes and with what body.
struct Side {
  Side(std::string sideName, int sidePort, std::function<std::string()> sideBody)
      : name(std::move(sideName)), port(sidePort), body(std::move(sideBody)) {}
  std::string name;
  int port = 0;
  std::function<std::string()> body; // a fresh New Session body each time
  Samples create, remove, cycle;
};

void oneCycle(Side& side, bool record) {
  HttpConnection connection(side.port, std::chrono::seconds(180));
  double start = nowMicros();
  std::string id = createSession(connection, side.body());
  double created = nowMicros();
  if (!deleteSession(connection, id))
    throw std::runtime_error(side.name + ": Delete Session of " + id + " failed");
  double deleted = nowMicros();
  if (record) {
    side.create.push_back(created - start);
    side.remove.push_back(deleted - created);
    side.cycle.push_back(deleted - start);
  }
}

// `rounds` interleaved cycles of every side (one untimed round first), `work` between cycles.
void run(std::vector<Side*> sides, int rounds, std::chrono::milliseconds work) {
  for (int round = -1; round < rounds; ++round) {
    for (std::size_t i = 0; i < sides.size(); ++i) {
      Side& side = *sides[(i + static_cast<std::size_t>(round + 1)) % sides.size()];
      oneCycle(side, round >= 0);
      std::this_thread::sleep_for(work);
    }
  }
}

void report(Report& report, const std::string& what, Side& side) {
  report.latency(what + ": New Session, " + side.name, summarize(side.create));
  report.latency(what + ": Delete Session, " + side.name, summarize(side.remove));
  report.latency(what + ": create + delete, " + side.name, summarize(side.cycle));
}

// Selenium Grid 4 standalone (java -jar JAR standalone) on a free port; stopped when destroyed.
class GridStandalone {
public:
  GridStandalone(const Options& options) {
    port_ = freePort();
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{options.java, "-Xmx512m", "-jar", options.gridJar, "standalone",
                                 "--host", "127.0.0.1", "--port", std::to_string(port_),
                                 "--selenium-manager", "false", "--max-sessions", "1"},
        options.workDir + "/grid.log");
    process_->waitForLine("Started Selenium Standalone", std::chrono::seconds(90));
  }
  ~GridStandalone() { process_->stop(std::chrono::seconds(20)); }
  int port() const noexcept { return port_; }

private:
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
};

std::string browserBody(const std::string& name) {
  return R"({"capabilities":{"alwaysMatch":{"browserName":")" + name + R"("}}})";
}

} // namespace

void runChurn(const Options& options, const Counts& counts, Report& report) {
  auto work = std::chrono::milliseconds(counts.churnWorkMs);
  {
    Chromedriver driver(options);
    Wdhost host(options, {"--plugin", "chrome", "--warm-browsers", "1"}, "churn-chrome");
    std::vector<std::unique_ptr<TempDir>> profiles;
    Side direct{"chromedriver direct", driver.port(), [&] {
                  profiles.push_back(std::make_unique<TempDir>(options.workDir, "profile"));
                  return directChromeBody(options, profiles.back()->path());
                }};
    Side wdhost{"wdhost", host.port(), [] { return wdhostChromeBody(); }};
    std::unique_ptr<GridStandalone> grid;
    Side gridSide{"Grid 4 standalone", 0, [&] {
                    profiles.push_back(std::make_unique<TempDir>(options.workDir, "profile"));
                    return directChromeBody(options, profiles.back()->path());
                  }};
    std::vector<Side*> sides = {&direct, &wdhost};
    if (!options.gridJar.empty()) {
      grid = std::make_unique<GridStandalone>(options);
      gridSide.port = grid->port();
      sides.push_back(&gridSide);
    }
    report.info("chrome sides", grid ? "chromedriver, wdhost, Grid"
                                     : "chromedriver, wdhost "
                                       "(no --grid-jar)");
    run(sides, counts.churnRounds, work);
    for (Side* side : sides)
      bench::report(report, "chrome, " + std::to_string(work.count()) + " ms work", *side);
    Summary d = summarize(direct.create), h = summarize(wdhost.create);
    Summary dc = summarize(direct.cycle), hc = summarize(wdhost.cycle);
    report.check("chrome New Session, seen capabilities", formatRatio(h.median / d.median),
                 "<= 0.30x", h.median <= 0.30 * d.median);
    report.check("chrome create + delete", formatRatio(hc.median / dc.median), "<= 0.40x",
                 hc.median <= 0.40 * dc.median);
    report.check("chrome Delete Session", formatMicros(summarize(wdhost.remove).median), "<= 5 ms",
                 summarize(wdhost.remove).median <= 5000);
    if (grid) {
      Summary g = summarize(gridSide.cycle);
      report.info("Grid create + delete / chromedriver", formatRatio(g.median / dc.median));
    }
    // Back to back: no time to start anything ahead.
    Side directFast{"chromedriver direct", driver.port(), direct.body};
    Side wdhostFast{"wdhost", host.port(), wdhost.body};
    run({&directFast, &wdhostFast}, counts.churnRounds, std::chrono::milliseconds(0));
    bench::report(report, "chrome, back to back", directFast);
    bench::report(report, "chrome, back to back", wdhostFast);
  }
  for (const char* browser : {"firefox", "safari"}) {
    Wdhost cold(options, {"--plugin", browser, "--warm-browsers", "0"},
                std::string("churn-cold-") + browser);
    Wdhost warm(options, {"--plugin", browser, "--warm-browsers", "1"},
                std::string("churn-warm-") + browser);
    Side coldSide{"wdhost cold", cold.port(), [browser] { return browserBody(browser); }};
    Side warmSide{"wdhost, started ahead", warm.port(), [browser] { return browserBody(browser); }};
    run({&coldSide, &warmSide}, counts.churnRounds, work);
    bench::report(report, browser, coldSide);
    bench::report(report, browser, warmSide);
    Summary c = summarize(coldSide.create), w = summarize(warmSide.create);
    report.check(std::string(browser) + " New Session, seen capabilities",
                 formatRatio(w.median / c.median), "<= 0.30x", w.median <= 0.30 * c.median);
  }
}

} // namespace bench
