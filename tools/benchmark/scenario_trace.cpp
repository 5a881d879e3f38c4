// Scenario "trace": what tracing a chrome session costs its commands. A traced session
// (wdhost:trace on: pictures from its screencast, its console and requests) against an untraced
// one of the same host, interleaved on the same page: a command that does not change the page
// (GET /url, target <= 1.10x) and one that does (Element Click on a button that changes the
// page's text, target <= 1.50x). The traced session's trace is read at the end: it must hold
// every command and pictures.
#include "load.h"
#include "scenarios.h"
#include "test_pages.h"

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

namespace bench {
namespace {

// The element id in a Find Element answer.
std::string elementIn(const std::string& answer) {
  constexpr std::string_view kKey = "element-6066-11e4-a52e-4f735466cecf\":\"";
  std::size_t at = answer.find(kKey);
  if (at == std::string::npos)
    throw std::runtime_error("Find Element answered " + answer.substr(0, 300));
  at += kKey.size();
  return answer.substr(at, answer.find('"', at) - at);
}

// Shows the click page on session `id` and returns its button's element id.
std::string showButton(int port, const std::string& id) {
  std::string answer;
  if (httpOnce(port, "POST", "/session/" + id + "/url",
               std::string(R"({"url":")") + kClickPage + "\"}", &answer) != 200)
    throw std::runtime_error("navigation answered " + answer.substr(0, 300));
  if (httpOnce(port, "POST", "/session/" + id + "/element",
               R"({"using":"css selector","value":"#b"})", &answer) != 200)
    throw std::runtime_error("Find Element answered " + answer.substr(0, 300));
  return elementIn(answer);
}

void expectPost(HttpConnection& connection, const std::string& path) {
  std::string answer;
  int status = connection.request("POST", path, "{}", &answer);
  if (status != 200)
    throw std::runtime_error("POST " + path + " answered " + std::to_string(status) + ": " +
                             answer.substr(0, 400));
}

} // namespace

void runTrace(const Options& options, const Counts& counts, Report& report) {
  Wdhost host(options,
              {"--plugin", "chrome", "--warm-browsers", "0", "--max-sessions", "3", "--traces-dir",
               options.workDir + "/traces", "--trace-max-frames", "100000", "--trace-max-mib",
               "4096"},
              "trace");
  const std::string plainBody =
      R"({"capabilities":{"alwaysMatch":{"browserName":"chrome","goog:chromeOptions":{"args":["--window-size=1280,720"]}}}})";
  const std::string tracedBody =
      R"({"capabilities":{"alwaysMatch":{"browserName":"chrome","wdhost:trace":"on","goog:chromeOptions":{"args":["--window-size=1280,720"]}}}})";
  std::string tracedId;
  {
    Session plain(host.port(), plainBody);
    Session traced(host.port(), tracedBody);
    tracedId = traced.id();
    std::string plainButton = showButton(host.port(), plain.id());
    std::string tracedButton = showButton(host.port(), traced.id());
    HttpConnection a(host.port());
    HttpConnection b(host.port());

    Samples sp, st;
    interleave(
        counts.warmup, counts.relayRounds, [&] { expectGet(a, "/session/" + plain.id() + "/url"); },
        [&] { expectGet(b, "/session/" + traced.id() + "/url"); }, &sp, &st);
    Summary p = summarize(sp), t = summarize(st);
    report.latency("GET /url, untraced session", p);
    report.latency("GET /url, traced session", t);
    report.check("traced command that does not change the page, median ratio",
                 formatRatio(t.median / p.median), "<= 1.10x", t.median <= 1.10 * p.median);

    int clicks = options.smoke ? 10 : 300;
    Samples cp, ct;
    interleave(
        options.smoke ? 2 : 20, clicks,
        [&] { expectPost(a, "/session/" + plain.id() + "/element/" + plainButton + "/click"); },
        [&] { expectPost(b, "/session/" + traced.id() + "/element/" + tracedButton + "/click"); },
        &cp, &ct);
    Summary pc = summarize(cp), tc = summarize(ct);
    report.latency("Element Click, untraced session", pc);
    report.latency("Element Click, traced session", tc);
    report.check("traced command that changes the page, median ratio",
                 formatRatio(tc.median / pc.median), "<= 1.50x", tc.median <= 1.50 * pc.median);
  } // both sessions are deleted: the trace completes
  std::string trace;
  for (int i = 0; i < 100; ++i) {
    if (httpOnce(host.port(), "GET", "/wdhost/traces/" + tracedId, "", &trace) == 200 &&
        trace.find("\"complete\":true") != std::string::npos)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (trace.find("\"complete\":true") == std::string::npos)
    throw std::runtime_error("the trace did not complete: " + trace.substr(0, 300));
  std::size_t commands = 0, frames = 0;
  for (std::size_t at = trace.find("\"number\":"); at != std::string::npos;
       at = trace.find("\"number\":", at + 1))
    ++commands;
  for (std::size_t at = trace.find("\"data\":\"data:image"); at != std::string::npos;
       at = trace.find("\"data\":\"data:image", at + 1))
    ++frames;
  report.info("commands in the trace", std::to_string(commands));
  report.info("pictures in the trace", std::to_string(frames));
  report.info("the trace's JSON", std::to_string(trace.size() / 1024) + " KiB");
}

} // namespace bench
