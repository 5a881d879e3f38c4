// Browsers started ahead, through the real binary with the "fakewarm" fixture (the fake plugin
// saying startsAhead) and the plain "fake" one (a plugin without the feature, as an older one).
#include "support/host_process.h"

#include <algorithm>
#include <doctest/doctest.h>

using namespace wdhtest;

namespace {

const char* kWarm = R"({"capabilities":{"alwaysMatch":{"browserName":"fakewarm"}}})";

HostProcess startHost(std::vector<std::string> extra) {
  std::vector<std::string> args = {"--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin-dir"};
  args.insert(args.end(), {WDHOST_WARM_FIXTURE_DIR, "--plugin", "fakewarm", "--plugin", "fake"});
  args.insert(args.end(), extra.begin(), extra.end());
  if (std::find(extra.begin(), extra.end(), "--warm-browsers") == extra.end())
    args.insert(args.end(), {"--warm-browsers", "1"}); // the default of wdhost itself
  return HostProcess(WDHOST_BINARY, args);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bool warmIs(int port, int count) {
  return contains(httpRequest(port, "GET", "/status").body,
                  "\"warm\":" + std::to_string(count) + ",");
}

// The id launch() was given for session `id` (the fake plugin tells it).
std::string launchedAs(int port, const std::string& id) {
  return httpRequest(port, "GET", "/session/" + id + "/fake/launchedAs").body;
}

} // namespace

TEST_CASE("warm browsers: the next New Session of a configuration gets the one started ahead") {
  HostProcess host = startHost({"--max-sessions", "3"});
  std::string first = sessionIdOf(httpRequest(host.port(), "POST", "/session", kWarm).body);
  REQUIRE_FALSE(first.empty());
  CHECK(contains(launchedAs(host.port(), first), first)); // started cold, under its own id
  REQUIRE(eventually([&] { return warmIs(host.port(), 1); }, std::chrono::seconds(10)));

  std::string second = sessionIdOf(httpRequest(host.port(), "POST", "/session", kWarm).body);
  REQUIRE_FALSE(second.empty());
  CHECK(contains(launchedAs(host.port(), second), "warm-")); // handed over
  CHECK(contains(httpRequest(host.port(), "GET", "/metrics").body,
                 "wdhost_warm_handovers_total{plugin=\"fakewarm\"} 1"));
  // The hand-over is replenished; the next one is again a fresh one, never a used one.
  REQUIRE(eventually([&] { return warmIs(host.port(), 1); }, std::chrono::seconds(10)));
  CHECK(httpRequest(host.port(), "DELETE", "/session/" + second).status == 200);
  std::string third = sessionIdOf(httpRequest(host.port(), "POST", "/session", kWarm).body);
  CHECK(contains(launchedAs(host.port(), third), "warm-"));
  CHECK_FALSE(launchedAs(host.port(), third) == launchedAs(host.port(), first));

  // Other capabilities are another configuration: started cold.
  std::string other = sessionIdOf(
      httpRequest(host.port(), "POST", "/session",
                  R"({"capabilities":{"alwaysMatch":{"browserName":"fakewarm","fake:x":"1"}}})")
          .body);
  CHECK(contains(launchedAs(host.port(), other), other));
  CHECK(host.stop() == 0);
}

TEST_CASE("warm browsers: a real New Session takes the slot of a browser started ahead") {
  HostProcess host = startHost({"--max-sessions", "2", "--no-queue"});
  std::string first = sessionIdOf(httpRequest(host.port(), "POST", "/session", kWarm).body);
  REQUIRE(eventually([&] { return warmIs(host.port(), 1); }, std::chrono::seconds(10)));
  // Both slots are taken (one by the warm browser), yet another configuration starts: the
  // warm one is discarded for it, even without a queue.
  HttpAnswer status = httpRequest(host.port(), "GET", "/status");
  CHECK(contains(status.body, "\"ready\":true"));
  HttpAnswer other =
      httpRequest(host.port(), "POST", "/session",
                  R"({"capabilities":{"alwaysMatch":{"browserName":"fakewarm","fake:x":"1"}}})");
  CHECK_MESSAGE(other.status == 200, other.body);
  CHECK(warmIs(host.port(), 0));
  CHECK(host.stop() == 0);
}

TEST_CASE("warm browsers: none for a plugin without the feature, none with --warm-browsers 0") {
  {
    HostProcess host = startHost({});
    REQUIRE(httpRequest(host.port(), "POST", "/session",
                        R"({"capabilities":{"alwaysMatch":{"browserName":"fake"}}})")
                .status == 200);
    CHECK_FALSE(eventually([&] { return warmIs(host.port(), 1); }, std::chrono::seconds(1)));
  }
  HostProcess host = startHost({"--warm-browsers", "0"});
  REQUIRE(httpRequest(host.port(), "POST", "/session", kWarm).status == 200);
  CHECK_FALSE(eventually([&] { return warmIs(host.port(), 1); }, std::chrono::seconds(1)));
}

TEST_CASE("warm browsers: closed after --warm-idle, and by a drain") {
  {
    HostProcess host = startHost({"--warm-idle", "1"});
    REQUIRE(httpRequest(host.port(), "POST", "/session", kWarm).status == 200);
    REQUIRE(eventually([&] { return warmIs(host.port(), 1); }, std::chrono::seconds(10)));
    CHECK(eventually([&] { return warmIs(host.port(), 0); }, std::chrono::seconds(10)));
  }
  HostProcess host = startHost({});
  std::string id = sessionIdOf(httpRequest(host.port(), "POST", "/session", kWarm).body);
  REQUIRE(eventually([&] { return warmIs(host.port(), 1); }, std::chrono::seconds(10)));
  REQUIRE(httpRequest(host.port(), "POST", "/wdhost/drain").status == 200);
  CHECK(httpRequest(host.port(), "DELETE", "/session/" + id).status == 200);
  // The warm browser does not hold the drain up.
  CHECK_MESSAGE(host.waitForExit(std::chrono::seconds(10)) == 0, host.log());
}
