// wdhost-bench: the benchmark that holds issue 7's targets. Starts wdhost, a direct
// chromedriver and a stub upstream on 127.0.0.1, measures each pair interleaved with the same
// client, prints every figure and a final table. Exits 0 even when a target is missed.
#include "child_process.h"
#include "report.h"
#include "scenarios.h"

#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>

namespace {

const char* kUsage =
    R"(usage: wdhost-bench [--smoke] [--only NAME] [--wdhost PATH] [--stub-plugin-dir DIR]
                    [--chromedriver PATH] [--chromium PATH] [--firefox PATH] [--grid-jar PATH]
                    [--java PATH] [--keep-logs]
  --smoke          every scenario with tiny counts (a few seconds each)
  --only NAME      one scenario: relay, status, new-session, stub, scale, bidi, churn, bridge,
                   flood, warm-launch, recording, live, trace
  --grid-jar PATH  Selenium Grid 4's selenium-server jar: churn then compares Grid standalone
Exits 0 when every scenario ran (a missed target is printed as MISSED, not an error),
1 when a scenario could not run, 2 on bad usage.
)";

// The CPU model line of /proc/cpuinfo.
std::string cpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0)
      return line.substr(line.find(':') + 2);
  return "unknown";
}

std::string loadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

} // namespace

int main(int argc, char** argv) {
  // The scale scenario holds a connection per session (1000) besides everything else.
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
  bench::Options options;
  options.wdhost = WDHOST_BINARY;
  options.stubPluginDir = WDHOST_BENCH_PLUGIN_DIR;
  bool keepLogs = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n%s", arg.c_str(), kUsage);
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--smoke")
      options.smoke = true;
    else if (arg == "--only")
      options.only = value();
    else if (arg == "--wdhost")
      options.wdhost = value();
    else if (arg == "--stub-plugin-dir")
      options.stubPluginDir = value();
    else if (arg == "--chromedriver")
      options.chromedriver = value();
    else if (arg == "--chromium")
      options.chromium = value();
    else if (arg == "--firefox")
      options.firefox = value();
    else if (arg == "--grid-jar")
      options.gridJar = value();
    else if (arg == "--java")
      options.java = value();
    else if (arg == "--keep-logs")
      keepLogs = true;
    else if (arg == "--help" || arg == "-h") {
      std::printf("%s", kUsage);
      return 0;
    } else {
      std::fprintf(stderr, "unknown argument %s\n%s", arg.c_str(), kUsage);
      return 2;
    }
  }
  const std::pair<const char*,
                  std::function<void(const bench::Options&, const bench::Counts&, bench::Report&)>>
      scenarios[] = {{"relay", bench::runRelay},
                     {"status", bench::runStatus},
                     {"new-session", bench::runNewSession},
                     {"stub", bench::runStub},
                     {"scale", bench::runScale},
                     {"bidi", bench::runBidi},
                     {"churn", bench::runChurn},
                     {"bridge", bench::runBridge},
                     {"flood", bench::runFlood},
                     {"warm-launch", bench::runWarmLaunch},
                     {"recording", bench::runRecording},
                     {"live", bench::runLive},
                     {"trace", bench::runTrace}};
  bool known = options.only.empty();
  for (const auto& scenario : scenarios)
    known = known || options.only == scenario.first;
  if (!known) {
    std::fprintf(stderr, "unknown scenario '%s'\n%s", options.only.c_str(), kUsage);
    return 2;
  }

  bench::killChildrenOnSignal();
  std::signal(SIGPIPE, SIG_IGN);
  const char* tmp = std::getenv("TMPDIR");
  bench::TempDir work(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "wdhost-bench");
  options.workDir = work.path();
  bench::Counts counts = bench::countsFor(options.smoke);

  std::printf("wdhost-bench%s: %u cores, %s, load average %s\nwdhost: %s\n",
              options.smoke ? " --smoke" : "", std::thread::hardware_concurrency(),
              cpuModel().c_str(), loadAverage().c_str(), options.wdhost.c_str());
  bench::Report report;
  bool anyFailed = false;
  for (const auto& [name, run] : scenarios) {
    if (!options.only.empty() && options.only != name)
      continue;
    std::printf("\n== %s\n", name);
    std::fflush(stdout);
    report.scenario(name);
    try {
      run(options, counts, report);
    } catch (const std::exception& e) {
      report.failed(e.what());
      anyFailed = true;
    }
  }
  int missed = report.printTable();
  std::printf("load average at the end: %s\n", loadAverage().c_str());
  if (missed > 0)
    std::printf("MISSED: %d target(s), see above\n", missed);
  if (anyFailed || keepLogs) {
    // Keep the logs of wdhost and chromedriver for a look; the directory is not removed.
    std::string kept = options.workDir + "-logs";
    std::rename(options.workDir.c_str(), kept.c_str());
    std::printf("logs: %s\n", kept.c_str());
  }
  std::fflush(stdout);
  return anyFailed ? 1 : 0;
}
