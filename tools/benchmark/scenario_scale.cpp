// Scenario "scale": 1000 stub sessions at once, each with its own keep-alive client connection:
// per-command latency on one session vs spread over all of them (interleaved), the host's RSS
// idle and per session (connections included), and errors.
#include "load.h"
#include "scenarios.h"
#include "stub_upstream.h"

#include <cstdio>
#include <memory>
#include <thread>

namespace bench {

void runScale(const Options& options, const Counts& counts, Report& report) {
  StubUpstream stub;
  Wdhost host(options, stubHostArgs(options, stub.port()), "scale");
  HttpConnection toHost(host.port());
  expectGet(toHost, "/status");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  long idle = rssKiB(host.pid());

  long errors = 0;
  std::vector<std::string> ids;
  Samples creates;
  for (int i = 0; i < counts.scaleSessions; ++i) {
    double start = nowMicros();
    try {
      ids.push_back(createSession(toHost, stubBody()));
      creates.push_back(nowMicros() - start);
    } catch (const std::runtime_error& e) {
      if (errors++ == 0)
        std::printf("  first error: %s\n", e.what());
    }
  }
  report.latency("New Session (stub)", summarize(creates));
  if (ids.empty())
    throw std::runtime_error("no stub session could be created");
  // Each session gets its own client connection, as each WebDriver client drives its own, and
  // relays once on it: the host then holds one keep-alive client and one upstream connection
  // per session.
  std::vector<std::unique_ptr<HttpConnection>> clients;
  clients.reserve(ids.size());
  for (const std::string& id : ids) {
    clients.push_back(std::make_unique<HttpConnection>(host.port()));
    try {
      expectGet(*clients.back(), "/session/" + id + "/url");
    } catch (const std::runtime_error&) {
      ++errors;
    }
  }
  std::size_t next = 0;
  auto spread = [&] {
    std::size_t i = next++ % ids.size();
    expectGet(*clients[i], "/session/" + ids[i] + "/url");
  };
  Samples one, many;
  interleave(
      counts.warmup, counts.scaleRounds, [&] { expectGet(toHost, "/session/" + ids[0] + "/url"); },
      spread, &one, &many);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  long loaded = rssKiB(host.pid());

  Summary s1 = summarize(one), sn = summarize(many);
  std::string n = std::to_string(ids.size());
  report.latency("GET /url, 1 session", s1);
  report.latency("GET /url, spread over " + n + " sessions and connections", sn);
  report.check("latency ratio " + n + " vs 1 session", formatRatio(sn.median / s1.median),
               "<= 1.20x", sn.median <= 1.2 * s1.median);
  char text[64];
  std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(idle) / 1024.0);
  report.check("RSS idle", text, "< 16 MiB", idle < 16 * 1024);
  std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(loaded) / 1024.0);
  report.info("RSS at " + n + " sessions", text);
  double perSession = static_cast<double>(loaded - idle) / static_cast<double>(ids.size());
  std::snprintf(text, sizeof text, "%.1f KiB", perSession);
  report.check("RSS per session", text, "< 256 KiB", perSession < 256.0);

  clients.clear();
  for (const std::string& id : ids) {
    try {
      if (!deleteSession(toHost, id))
        ++errors;
    } catch (const std::runtime_error&) {
      ++errors;
    }
  }
  std::string status;
  toHost.request("GET", "/status", {}, &status);
  std::size_t at = status.find("\"sessions\":");
  report.info("sessions left after deleting",
              at == std::string::npos
                  ? std::string("?")
                  : status.substr(at + 11, status.find_first_of(",}", at) - at - 11));
  report.check("errors (create, relay, delete)", std::to_string(errors), "0", errors == 0);
}

} // namespace bench
