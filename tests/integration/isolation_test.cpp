// Plugins out of process (--isolate-plugin, --isolate-plugins): a plugin that crashes or hangs in
// its helper costs only its own sessions, and the host serves on.
#include "support/fake_host.h"
#include "support/host_process.h"
#include "support/scratch_dir.h"
#include "support/scripted_http_server.h"

#include <doctest/doctest.h>
#include <filesystem>

using namespace wdhtest;

namespace {

const char* kCrashing = R"({"capabilities":{"alwaysMatch":{"browserName":"crashing"}}})";
const char* kFragile = R"({"capabilities":{"alwaysMatch":{"browserName":"fragile"}}})";
const char* kFragileSpawning =
    R"({"capabilities":{"alwaysMatch":{"browserName":"fragile","fragile:spawn":true}}})";
const char* kFragileHanging =
    R"({"capabilities":{"alwaysMatch":{"browserName":"fragile","fragile:hangLaunch":true}}})";

#ifdef WDHOST_SANITIZED
// The sanitizers catch the SIGSEGV and end the helper their own way (an abort, or their exit
// code): what holds is that the helper's end is named.
const char* kCrashed = "the plugin's helper process ";
const char* kCrashedLog = "its helper process ";
#else
const char* kCrashed = "the plugin's helper process was killed by signal 11 (SIGSEGV)";
const char* kCrashedLog = "its helper process was killed by signal 11 (SIGSEGV)";
#endif

bool contains(const std::string& text, std::string_view needle) {
  return text.find(needle) != std::string::npos;
}

// True when no wdhost-plugin-host for a library in `dir` runs any more (bounded wait).
bool noHelperFor(const std::string& dir) {
  return eventually(
      [&] { return processesMatching("wdhost-plugin-host --channel-fd 4 " + dir).empty(); },
      std::chrono::seconds(10));
}

} // namespace

TEST_CASE("isolation: a plugin that crashes in negotiate fails New Session, and others serve on") {
  {
    HostProcess host(WDHOST_BINARY,
                     {"--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin-dir", WDHOST_CRASHING_DIR,
                      "--plugin", "fake", "--plugin", "crashing", "--isolate-plugin", "crashing"});
    CHECK(contains(host.log(), "isolated in wdhost-plugin-host"));
    HttpAnswer before = httpRequest(host.port(), "POST", "/session", kFakeNewSession);
    REQUIRE(before.status == 200);
    const std::string live = sessionIdOf(before.body);

    for (int attempt = 0; attempt < 2; ++attempt) {
      HttpAnswer crashed = httpRequest(host.port(), "POST", "/session", kCrashing);
      INFO(crashed.body);
      CHECK(crashed.status == 500);
      CHECK(contains(crashed.body, "\"session not created\""));
      CHECK(contains(crashed.body, kCrashed));
      CHECK(contains(crashed.body, "negotiate"));
    }

    // The session started before runs on, and a new one of the other plugin starts.
    CHECK(httpRequest(host.port(), "GET", "/session/" + live + "/url").status == 200);
    HttpAnswer after = httpRequest(host.port(), "POST", "/session", kFakeNewSession);
    CHECK(after.status == 200);
    CHECK(httpRequest(host.port(), "DELETE", "/session/" + sessionIdOf(after.body)).status == 200);
    CHECK(httpRequest(host.port(), "DELETE", "/session/" + live).status == 200);
    CHECK(contains(host.log(), std::string("crashing: ") + kCrashedLog));
    HttpAnswer status = httpRequest(host.port(), "GET", "/status");
    CHECK(contains(status.body, "\"isolated\":true,\"crashes\":2,\"lastCrash\":\""));
    CHECK(contains(status.body, "\"isolated\":false"));
    CHECK(metricValue(host.port(), "wdhost_plugin_crashes{plugin=\"crashing\"}") == 2);
    CHECK(host.stop() == 0);
  }
  CHECK(noHelperFor(WDHOST_CRASHING_DIR));
}

TEST_CASE("isolation: a crash in a command ends that session, and a new one of the plugin works") {
  {
    HostProcess host(WDHOST_BINARY, {"--plugin-dir", WDHOST_ISOLATION_FIXTURE_DIR, "--plugin",
                                     "fragile", "--isolate-plugins", "all"});
    HttpAnswer first = httpRequest(host.port(), "POST", "/session", kFragileSpawning);
    REQUIRE(first.status == 200);
    const std::string id = sessionIdOf(first.body);
    // The process the plugin started through the host's process service runs under the host.
    CHECK(eventually([&] { return descendantsMatching(host.pid(), "fragile-child").size() == 1; },
                     std::chrono::seconds(10)));
    HttpAnswer title = httpRequest(host.port(), "GET", "/session/" + id + "/title");
    CHECK(title.status == 200);
    CHECK(contains(title.body, "\"/title\""));
    // The plugin's log line came over the channel.
    CHECK(contains(host.log(), "fragile launches " + id));

    HttpAnswer crash = httpRequest(host.port(), "POST", "/session/" + id + "/url",
                                   R"({"url":"http://crash.invalid/"})");
    INFO(crash.body);
    CHECK(crash.status == 404);
    CHECK(contains(crash.body, "\"invalid session id\""));
    CHECK(contains(crash.body, kCrashed));
    HttpAnswer later = httpRequest(host.port(), "GET", "/session/" + id + "/title");
    CHECK(later.status == 404);
    CHECK(contains(later.body, "\"invalid session id\""));
    // The crashed session's processes are collected.
    CHECK(eventually([&] { return descendantsMatching(host.pid(), "fragile-child").empty(); },
                     std::chrono::seconds(10)));

    HttpAnswer second = httpRequest(host.port(), "POST", "/session", kFragile);
    INFO(second.body);
    REQUIRE(second.status == 200);
    const std::string next = sessionIdOf(second.body);
    CHECK(httpRequest(host.port(), "GET", "/session/" + next + "/title").status == 200);
    CHECK(httpRequest(host.port(), "DELETE", "/session/" + next).status == 200);
    CHECK(contains(host.log(), "helper restarted after a crash"));
    CHECK(metricValue(host.port(), "wdhost_plugin_crashes{plugin=\"fragile\"}") == 1);
    // One helper per plugin, not per session: its memory is reported while it runs.
    CHECK(metricValue(host.port(), "wdhost_plugin_helper_resident_bytes{plugin=\"fragile\"}") > 0);
    // The status page's state says the same of the plugin: isolated, crashed once, and how.
    HttpAnswer state = httpRequest(host.port(), "GET", "/ui/state");
    INFO(state.body);
    CHECK(state.status == 200);
    CHECK(contains(state.body, "\"isolated\":true,\"helper\":{\"crashes\":1,\"lastCrash\":\""));
    CHECK(contains(state.body, kCrashedLog + std::string_view("its helper process ").size()));
    CHECK(contains(state.body, "\"running\":true,\"rssBytes\":"));
    CHECK_FALSE(contains(state.body, "\"running\":true,\"rssBytes\":0"));
    CHECK(host.stop() == 0);
  }
  CHECK(noHelperFor(WDHOST_ISOLATION_FIXTURE_DIR));
}

TEST_CASE("isolation: a plugin that hangs in launch is bounded, ended and restarted") {
  {
    HostProcess host(WDHOST_BINARY,
                     {"--plugin-dir", WDHOST_ISOLATION_FIXTURE_DIR, "--plugin", "fragile",
                      "--isolate-plugins", "all", "--launch-timeout", "2"});
    HttpAnswer hung =
        httpRequest(host.port(), "POST", "/session", kFragileHanging, std::chrono::seconds(60));
    INFO(hung.body);
    CHECK(hung.status == 500);
    // Past the deadline and its grace the helper is ended, and that is logged as a crash.
    CHECK(eventually([&] { return contains(host.log(), "hung in launch"); },
                     std::chrono::seconds(20)));
    HttpAnswer next = httpRequest(host.port(), "POST", "/session", kFragile);
    INFO(next.body);
    CHECK(next.status == 200);
    CHECK(httpRequest(host.port(), "DELETE", "/session/" + sessionIdOf(next.body)).status == 200);
    CHECK(host.stop() == 0);
  }
  CHECK(noHelperFor(WDHOST_ISOLATION_FIXTURE_DIR));
}

TEST_CASE("isolation: third-party isolates what this tree did not build, and only that") {
  ScratchDir scratch("isolation");
  std::filesystem::copy_file(std::string(WDHOST_ISOLATION_FIXTURE_DIR) + "/fragile.so",
                             scratch.path("fragile.so"));
  CommandResult list = runCommand({WDHOST_BINARY, "--list-plugins", "--plugin-dir", scratch.dir,
                                   "--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin", "fragile",
                                   "--plugin", "fake", "--isolate-plugins", "third-party"});
  INFO(list.output);
  CHECK(list.exitCode == 0);
  CHECK(contains(list.output,
                 "from " + scratch.path("fragile.so") + ", isolated in wdhost-plugin-host"));
  CHECK(contains(list.output, std::string("from ") + WDHOST_FIXTURE_DIR + "/fake_plugin.so"));
  CHECK_FALSE(contains(list.output, "fake_plugin.so, isolated"));
  // The default is third-party: the same without saying so; "none" isolates nothing.
  CommandResult plain = runCommand(
      {WDHOST_BINARY, "--list-plugins", "--plugin-dir", scratch.dir, "--plugin", "fragile"});
  CHECK(contains(plain.output, "isolated in wdhost-plugin-host"));
  CommandResult none = runCommand({WDHOST_BINARY, "--list-plugins", "--plugin-dir", scratch.dir,
                                   "--plugin", "fragile", "--isolate-plugins", "none"});
  CHECK_FALSE(contains(none.output, "isolated in wdhost-plugin-host"));
  // --isolate-plugin finds the plugin by its file name, without loading it in the host first.
  CommandResult named =
      runCommand({WDHOST_BINARY, "--list-plugins", "--plugin-dir", scratch.dir, "--plugin",
                  "fragile", "--isolate-plugins", "none", "--isolate-plugin", "fragile"});
  CHECK(contains(named.output, "isolated in wdhost-plugin-host"));
  CommandResult bad = runCommand({WDHOST_BINARY, "--isolate-plugins", "some"});
  CHECK(bad.exitCode != 0);
  CHECK(contains(bad.output, "--isolate-plugins must be all, third-party or none, not 'some'"));
}

TEST_CASE("isolation: a relayed session of an isolated plugin goes to its driver, not the helper") {
  const std::string value = R"({"value":"http://relayed.test/"})";
  const std::string answer =
      ScriptedHttpServer::answer("200 OK", "Content-Type: application/json\r\n", value);
  ScriptedHttpServer driver({answer, answer});
  {
    HostProcess host(WDHOST_BINARY, {"--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin", "fake",
                                     "--isolate-plugin", "fake"});
    CHECK(contains(host.log(), "isolated in wdhost-plugin-host"));
    HttpAnswer created =
        httpRequest(host.port(), "POST", "/session",
                    R"({"capabilities":{"alwaysMatch":{"browserName":"fake","fake:upstream":")" +
                        driver.url("/session/d") + "\"}}}");
    REQUIRE(created.status == 200);
    HttpAnswer url =
        httpRequest(host.port(), "GET", "/session/" + sessionIdOf(created.body) + "/url");
    CHECK(url.status == 200);
    CHECK(contains(url.body, "http://relayed.test/"));
    std::vector<std::string> requests = driver.requests();
    REQUIRE_FALSE(requests.empty());
    CHECK(requests[0].rfind("GET /session/d/url HTTP/1.1", 0) == 0);
    CHECK(host.stop() == 0);
  }
  CHECK(noHelperFor(WDHOST_FIXTURE_DIR));
}
