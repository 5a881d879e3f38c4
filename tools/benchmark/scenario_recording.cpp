// Scenario "recording": what recording a chrome session costs. The CPU of the host's whole
// process tree (wdhost, its guards, chromedriver, Chromium, ffmpeg) while one session shows a
// test's page (its text changes twice a second) or, the worst case, a page that repaints every
// frame, unrecorded and then recorded at 15 fps, 1280x720, alternated round by round; and a
// cheap command on a recorded session against one on an unrecorded session of the same host,
// interleaved.
#include "load.h"
#include "scenarios.h"
#include "test_pages.h"

#include <algorithm>
#include <cstdio>
#include <dirent.h>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <unistd.h>
#include <vector>

namespace bench {
namespace {

// CPU seconds (user + system) `pid` used so far, and its parent; false when it is gone.
bool cpuOf(int pid, double* seconds, int* parent) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line))
    return false;
  std::size_t close = line.rfind(')');
  if (close == std::string::npos)
    return false;
  std::istringstream fields(line.substr(close + 2));
  std::vector<std::string> f{std::istream_iterator<std::string>(fields), {}};
  if (f.size() < 13)
    return false;
  // After the name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
  // stime.
  *parent = std::stoi(f[1]);
  *seconds = (std::stod(f[11]) + std::stod(f[12])) / static_cast<double>(sysconf(_SC_CLK_TCK));
  return true;
}

// CPU seconds of `root` and every process below it now, by pid.
std::map<int, double> treeCpu(int root) {
  std::map<int, std::pair<double, int>> all;
  if (DIR* proc = opendir("/proc")) {
    while (dirent* entry = readdir(proc)) {
      int pid = std::atoi(entry->d_name);
      double seconds = 0;
      int parent = 0;
      if (pid > 0 && cpuOf(pid, &seconds, &parent))
        all[pid] = {seconds, parent};
    }
    closedir(proc);
  }
  std::map<int, double> tree;
  tree[root] = all.count(root) != 0 ? all[root].first : 0;
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& [pid, info] : all)
      if (tree.count(pid) == 0 && tree.count(info.second) != 0) {
        tree[pid] = info.first;
        grew = true;
      }
  }
  return tree;
}

// Cores the tree of `root` used over `window` (processes alive at both ends); *host: wdhost's
// own share.
double coresOver(int root, std::chrono::milliseconds window, double* host) {
  std::map<int, double> before = treeCpu(root);
  double started = nowMicros();
  std::this_thread::sleep_for(window);
  std::map<int, double> after = treeCpu(root);
  double seconds = (nowMicros() - started) / 1e6;
  double used = 0;
  for (const auto& [pid, cpu] : after)
    if (before.count(pid) != 0)
      used += cpu - before[pid];
  *host = (after[root] - before[root]) / seconds;
  return used / seconds;
}

std::string chromeBody(bool recorded) {
  std::string recording =
      recorded ? R"(,"wdhost:recording":{"video":true,"fps":15,"size":"1280x720"})" : "";
  return R"({"capabilities":{"alwaysMatch":{"browserName":"chrome","goog:chromeOptions":{"args":["--window-size=1280,720"]})" +
         recording + "}}}";
}

void show(HttpConnection& connection, const std::string& id, const char* page) {
  std::string answer;
  int status = connection.request("POST", "/session/" + id + "/url",
                                  std::string(R"({"url":")") + page + "\"}", &answer);
  if (status != 200)
    throw std::runtime_error("navigation answered " + std::to_string(status) + ": " +
                             answer.substr(0, 300));
}

std::string cores(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f cores", value);
  return text;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[values.size() / 2];
}

} // namespace

void runRecording(const Options& options, const Counts& counts, Report& report) {
  if (access("/usr/bin/ffmpeg", X_OK) != 0)
    throw std::runtime_error("ffmpeg is not installed (apt install ffmpeg)");
  TempDir recordings(options.workDir, "recordings");
  Wdhost host(options,
              {"--plugin", "chrome", "--warm-browsers", "0", "--recordings-dir", recordings.path()},
              "recording");
  HttpConnection control(host.port(), std::chrono::seconds(120));
  auto window = options.smoke ? std::chrono::milliseconds(1500) : std::chrono::milliseconds(8000);
  int rounds = options.smoke ? 1 : 3;

  // CPU: the same page in one session, recorded or not, round by round; a test's page (the
  // target) and the worst case, a page repainting every frame.
  for (const auto& [page, what] : {std::pair<const char*, std::string>{kTestPage, "a test's page"},
                                   {kAnimatedPage, "a page repainting every frame"}}) {
    std::vector<double> plain, recorded, hostPlain, hostRecorded;
    for (int round = 0; round < rounds; ++round)
      for (bool record : {false, true}) {
        Session session(host.port(), chromeBody(record));
        show(control, session.id(), page);
        std::this_thread::sleep_for(std::chrono::seconds(2)); // ffmpeg running, the page painting
        double own = 0;
        double cores = coresOver(host.pid(), window, &own);
        (record ? recorded : plain).push_back(cores);
        (record ? hostRecorded : hostPlain).push_back(own);
      }
    double cost = median(recorded) - median(plain);
    report.info("CPU, " + what + ", unrecorded -> recorded (15 fps, 1280x720)",
                cores(median(plain)) + " -> " + cores(median(recorded)));
    report.info("of which wdhost itself",
                cores(median(hostPlain)) + " -> " + cores(median(hostRecorded)));
    if (page == kTestPage)
      report.check("recording's cost, " + what, cores(cost), "<= 0.30 cores", cost <= 0.30);
    else
      report.info("recording's cost, " + what, cores(cost));
  }

  // Commands: a recorded and an unrecorded session side by side, both on a test's page.
  Session unrecordedSession(host.port(), chromeBody(false));
  Session recordedSession(host.port(), chromeBody(true));
  show(control, unrecordedSession.id(), kTestPage);
  show(control, recordedSession.id(), kTestPage);
  HttpConnection a(host.port());
  HttpConnection b(host.port());
  std::string plainPath = "/session/" + unrecordedSession.id() + "/url";
  std::string recordedPath = "/session/" + recordedSession.id() + "/url";
  Samples sp, sr;
  interleave(
      counts.warmup, counts.relayRounds, [&] { expectGet(a, plainPath); },
      [&] { expectGet(b, recordedPath); }, &sp, &sr);
  Summary p = summarize(sp), r = summarize(sr);
  report.latency("GET /url, unrecorded session", p);
  report.latency("GET /url, recorded session", r);
  report.check("recorded command median ratio", formatRatio(r.median / p.median), "<= 1.10x",
               r.median <= 1.10 * p.median);
}

} // namespace bench
