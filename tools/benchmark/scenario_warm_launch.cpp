// Scenario "warm-launch": what a browser started ahead costs the sessions that run. A running
// chrome session's GET /url while the next warm browser launches (a New Session takes the one
// ready, so the host starts another) against the same with nothing launching, interleaved round
// by round, on two hosts side by side: --warm-priority normal (the launch competes for CPU with
// the session) and idle (it takes what the session leaves). The hand-over New Session is timed
// too: at idle priority it must stay a matter of milliseconds.
#include "load.h"
#include "scenarios.h"

#include <memory>
#include <stdexcept>
#include <thread>

namespace bench {
namespace {

constexpr int kStatusEvery = 10; // /status asked once per this many commands, in both phases

// One host with a running session, a browser started ahead, and what was measured on it.
struct Side {
  Side(const Options& options, const std::string& priority)
      : name(priority), host(options,
                             {"--plugin", "chrome", "--warm-browsers", "1", "--max-sessions", "4",
                              "--warm-priority", priority},
                             "warm-launch-" + priority),
        running(host.port(), wdhostChromeBody()), commands(host.port()), status(host.port()),
        control(host.port(), std::chrono::seconds(180)) {
    path = "/session/" + running.id() + "/url";
  }
  std::string name;
  Wdhost host;
  Session running;
  HttpConnection commands; // the running session's commands (timed)
  HttpConnection status;   // /status, asked between commands (untimed)
  HttpConnection control;  // New Session and Delete of the session that takes the warm browser
  std::string path;
  Samples quiet, launching, handover, readyAfter;
  int launches = 0;

  // True when a browser is ready ahead and no teardown is under way.
  bool settled() {
    std::string answer;
    if (status.request("GET", "/status", {}, &answer) != 200)
      throw std::runtime_error(name + ": /status failed");
    return answer.find("\"warm\":1") != std::string::npos &&
           answer.find("\"closing\":0") != std::string::npos;
  }
  void waitSettled() {
    for (int i = 0; i < 1800; ++i) {
      if (settled())
        return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    throw std::runtime_error(name + ": no browser was started ahead within 180 s");
  }
  double timedCommand() {
    double start = nowMicros();
    expectGet(commands, path);
    return nowMicros() - start;
  }
  // `count` commands with nothing launching.
  void measureQuiet(int count) {
    for (int i = 0; i < count; ++i) {
      quiet.push_back(timedCommand());
      if (i % kStatusEvery == kStatusEvery - 1)
        settled();
    }
  }
  // A New Session takes the browser ready; commands run until the next one is ready.
  void measureLaunch(int cap) {
    double start = nowMicros();
    std::string taken = createSession(control, wdhostChromeBody());
    handover.push_back(nowMicros() - start);
    for (int i = 0; i < cap; ++i) {
      launching.push_back(timedCommand());
      if (i % kStatusEvery == kStatusEvery - 1 && settled()) {
        readyAfter.push_back(nowMicros() - start);
        break;
      }
    }
    ++launches;
    if (!deleteSession(control, taken))
      throw std::runtime_error(name + ": Delete Session failed");
  }
};

void report(Report& report, Side& side) {
  Summary q = summarize(side.quiet), l = summarize(side.launching);
  report.latency("GET /url, nothing launching (" + side.name + ")", q);
  report.latency("GET /url, a browser starting ahead (" + side.name + ")", l);
  report.latency("New Session from a browser started ahead (" + side.name + ")",
                 summarize(side.handover));
  report.latency("the next browser ready ahead, while the session runs (" + side.name + ")",
                 summarize(side.readyAfter));
  report.info("launching / nothing launching, median (" + side.name + ")",
              formatRatio(l.median / q.median));
  report.info("launching / nothing launching, p90 (" + side.name + ")", formatRatio(l.p90 / q.p90));
}

} // namespace

void runWarmLaunch(const Options& options, const Counts& counts, Report& report) {
  if (!wdhostOffers(options, "--warm-priority"))
    throw std::runtime_error("this wdhost has no --warm-priority");
  // --smoke: the idle side alone, once (each side launches three browsers before it measures).
  std::vector<std::unique_ptr<Side>> sides;
  if (!options.smoke)
    sides.push_back(std::make_unique<Side>(options, "normal"));
  sides.push_back(std::make_unique<Side>(options, "idle"));
  for (auto& side : sides) {
    side->waitSettled();
    for (int i = 0; i < counts.warmup; ++i)
      side->timedCommand();
  }
  // Round by round, host by host, in turns: each host's phases in alternating order, so that
  // neither phase always follows the other (or a teardown).
  for (int round = 0; round < counts.warmLaunchRounds; ++round) {
    for (std::size_t i = 0; i < sides.size(); ++i) {
      Side& side = *sides[(i + static_cast<std::size_t>(round)) % sides.size()];
      side.waitSettled();
      if (round % 2 == 0) {
        side.measureQuiet(counts.warmLaunchQuiet);
        side.measureLaunch(counts.warmLaunchCap);
      } else {
        side.measureLaunch(counts.warmLaunchCap);
        side.waitSettled();
        side.measureQuiet(counts.warmLaunchQuiet);
      }
    }
  }
  for (auto& side : sides)
    bench::report(report, *side);
  Side& idleSide = *sides.back();
  Summary idle = summarize(idleSide.launching), idleQuiet = summarize(idleSide.quiet);
  report.check("running session while a browser starts ahead (idle), median",
               formatRatio(idle.median / idleQuiet.median), "<= 1.10x",
               idle.median <= 1.10 * idleQuiet.median);
  if (sides.size() > 1) {
    Summary normal = summarize(sides[0]->launching), normalQuiet = summarize(sides[0]->quiet);
    report.info("the same at normal priority, median",
                formatRatio(normal.median / normalQuiet.median));
  }
  Summary handover = summarize(idleSide.handover);
  report.check("New Session from a browser started ahead (idle)", formatMicros(handover.median),
               "<= 100 ms", handover.median <= 100000);
}

} // namespace bench
