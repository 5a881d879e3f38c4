// Draining through the real binary with the fake plugin: /status turns 503, New Session is
// refused so a scheduler starts it elsewhere, running sessions go on, and the host exits 0 once
// they end (or --drain-timeout passes). Also the Grid relay config the binary prints.
#include "support/fake_host.h"
#include "support/host_process.h"

#include <csignal>
#include <doctest/doctest.h>

using namespace wdhtest;

namespace {

const char* kFake = kFakeNewSession;

HostProcess startHost(std::vector<std::string> extra) {
  return startFakeHost(extra);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("drain: POST /wdhost/drain refuses new sessions, keeps running ones, then exits 0") {
  HostProcess host = startHost({"--max-sessions", "2"});
  HttpAnswer status = httpRequest(host.port(), "GET", "/status");
  CHECK(status.status == 200);
  CHECK(contains(status.body, "\"draining\":false"));
  std::string id = sessionIdOf(httpRequest(host.port(), "POST", "/session", kFake).body);
  REQUIRE_FALSE(id.empty());

  HttpAnswer drain = httpRequest(host.port(), "POST", "/wdhost/drain");
  CHECK(drain.status == 200);
  CHECK(contains(drain.body, "\"draining\":true"));
  status = httpRequest(host.port(), "GET", "/status");
  CHECK(status.status == 503);
  CHECK(contains(status.body, "\"ready\":false"));
  CHECK(contains(status.body, "\"draining\":true"));
  CHECK(contains(status.body, "draining"));

  HttpAnswer refused = httpRequest(host.port(), "POST", "/session", kFake);
  CHECK(refused.status == 500);
  CHECK(contains(refused.body, "\"session not created\""));
  CHECK(contains(refused.body, "another host"));

  // The running session still answers, and a second drain changes nothing.
  CHECK(httpRequest(host.port(), "GET", "/session/" + id + "/url").status == 200);
  CHECK(httpRequest(host.port(), "POST", "/wdhost/drain").status == 200);
  CHECK(host.waitForExit(std::chrono::milliseconds(700)) == -1000);

  CHECK(httpRequest(host.port(), "DELETE", "/session/" + id).status == 200);
  CHECK_MESSAGE(host.waitForExit(std::chrono::seconds(10)) == 0, host.log());
  CHECK(contains(host.log(), "drained"));
}

TEST_CASE("drain: SIGUSR1 drains, and --drain-timeout closes what is left and still exits 0") {
  HostProcess host = startHost({"--drain-timeout", "1"});
  std::string id = sessionIdOf(httpRequest(host.port(), "POST", "/session", kFake).body);
  REQUIRE_FALSE(id.empty());
  REQUIRE(kill(host.pid(), SIGUSR1) == 0);
  CHECK(eventually([&] { return httpRequest(host.port(), "GET", "/status").status == 503; },
                   std::chrono::seconds(5)));
  CHECK_MESSAGE(host.waitForExit(std::chrono::seconds(15)) == 0, host.log());
  CHECK(contains(host.log(), "--drain-timeout passed"));
}

TEST_CASE("drain: an idle host exits at once, and SIGTERM during a drain ends it") {
  {
    HostProcess host = startHost({});
    CHECK(httpRequest(host.port(), "POST", "/wdhost/drain").status == 200);
    CHECK_MESSAGE(host.waitForExit(std::chrono::seconds(10)) == 0, host.log());
  }
  HostProcess host = startHost({"--drain-timeout", "600"});
  REQUIRE(httpRequest(host.port(), "POST", "/session", kFake).status == 200);
  REQUIRE(httpRequest(host.port(), "POST", "/wdhost/drain").status == 200);
  CHECK(host.stop(std::chrono::seconds(15)) == 0);
}

TEST_CASE("drain: the drain endpoint needs the token like everything else") {
  HostProcess host = startHost({"--auth-token", "s3cret"});
  HttpAnswer refused = httpRequest(host.port(), "POST", "/wdhost/drain");
  CHECK(refused.status == 401);
  CHECK(httpRequest(host.port(), "GET", "/status").status == 401);
  CHECK(host.waitForExit(std::chrono::milliseconds(500)) == -1000);
}

TEST_CASE("cli: --grid-relay-config prints a node config for the loaded plugins") {
  CommandResult result = runCommand({WDHOST_BINARY, "--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin",
                                     "fake", "--max-sessions", "3", "--port", "5555",
                                     "--grid-relay-config", "--log-level", "warn"});
  CHECK(result.exitCode == 0);
  CHECK(contains(result.output, "\nmax-sessions = 3\n"));
  CHECK(contains(result.output, "url = \"http://127.0.0.1:5555\""));
  CHECK(contains(result.output, "status-endpoint = \"/status\""));
  CHECK(contains(result.output, R"("3", "{\"browserName\":\"fake\",\"platformName\":\"linux\",)"
                                R"(\"se:downloadsEnabled\":true}")"));

  result = runCommand({WDHOST_BINARY, "--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin", "fake",
                       "--public-url", "https://node-7.example/", "--grid-relay-config"});
  CHECK(result.exitCode == 0);
  CHECK(contains(result.output, "url = \"https://node-7.example\""));

  result = runCommand({WDHOST_BINARY, "--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin", "fake",
                       "--port", "0", "--grid-relay-config"});
  CHECK(result.exitCode == 2);
  CHECK(contains(result.output, "--public-url"));
}
