// Session lifecycle through the real binary with the fake plugin: slots and the queue, idle
// timeouts, launch timeouts, authentication, and many create/delete cycles.
#include "support/fake_host.h"
#include "support/host_process.h"

#include <atomic>
#include <doctest/doctest.h>
#include <fstream>
#include <future>
#include <thread>
#include <vector>

using namespace wdhtest;

namespace {

const char* kFake = kFakeNewSession;

HostProcess startHost(std::vector<std::string> extra) {
  return startFakeHost(extra);
}

} // namespace

TEST_CASE("lifecycle: a full host queues New Session until a slot frees") {
  HostProcess host = startHost({"--max-sessions", "1", "--session-request-timeout", "30"});
  HttpAnswer first = httpRequest(host.port(), "POST", "/session", kFake);
  REQUIRE(first.status == 200);
  auto second = std::async(std::launch::async,
                           [&] { return httpRequest(host.port(), "POST", "/session", kFake); });
  CHECK(eventually(
      [&] {
        return httpRequest(host.port(), "GET", "/status").body.find("\"queued\":1") !=
               std::string::npos;
      },
      std::chrono::seconds(10)));
  HttpAnswer status = httpRequest(host.port(), "GET", "/status");
  CHECK(status.body.find("\"ready\":false") != std::string::npos);
  CHECK(status.body.find("\"maxSessions\":1") != std::string::npos);
  CHECK(second.wait_for(std::chrono::milliseconds(300)) == std::future_status::timeout);
  CHECK(httpRequest(host.port(), "DELETE", "/session/" + sessionIdOf(first.body)).status == 200);
  REQUIRE(second.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  CHECK(second.get().status == 200);
}

TEST_CASE("lifecycle: shutting down answers queued New Sessions and starts none") {
  HostProcess host = startHost({"--max-sessions", "1", "--session-request-timeout", "60"});
  REQUIRE(httpRequest(host.port(), "POST", "/session", kFake).status == 200);
  auto queued = std::async(std::launch::async,
                           [&] { return httpRequest(host.port(), "POST", "/session", kFake); });
  REQUIRE(eventually(
      [&] {
        return httpRequest(host.port(), "GET", "/status").body.find("\"queued\":1") !=
               std::string::npos;
      },
      std::chrono::seconds(10)));
  // Closing the live session frees its slot, but the queued request must not take it.
  CHECK(host.stop() == 0);
  REQUIRE(queued.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  HttpAnswer answer = queued.get();
  CHECK(answer.status == 500);
  CHECK(answer.body.find("session not created") != std::string::npos);
  CHECK(answer.body.find("shutting down") != std::string::npos);
  CHECK(host.log().find("created") == host.log().rfind("created"));
}

TEST_CASE("lifecycle: --no-queue answers at once and a queue timeout says so") {
  HostProcess noQueue = startHost({"--max-sessions", "1", "--no-queue"});
  REQUIRE(httpRequest(noQueue.port(), "POST", "/session", kFake).status == 200);
  HttpAnswer refused = httpRequest(noQueue.port(), "POST", "/session", kFake);
  CHECK(refused.status == 500);
  CHECK(refused.body.find("session not created") != std::string::npos);
  CHECK(refused.body.find("--no-queue") != std::string::npos);

  HostProcess shortQueue = startHost({"--max-sessions", "1", "--session-request-timeout", "1"});
  REQUIRE(httpRequest(shortQueue.port(), "POST", "/session", kFake).status == 200);
  HttpAnswer timedOut = httpRequest(shortQueue.port(), "POST", "/session", kFake);
  CHECK(timedOut.status == 500);
  CHECK(timedOut.body.find("timed out in the queue") != std::string::npos);
}

TEST_CASE("lifecycle: per-plugin limits") {
  HostProcess host =
      startHost({"--max-sessions", "4", "--max-sessions-per-plugin", "fake=1", "--no-queue"});
  REQUIRE(httpRequest(host.port(), "POST", "/session", kFake).status == 200);
  HttpAnswer refused = httpRequest(host.port(), "POST", "/session", kFake);
  CHECK(refused.status == 500);
  CHECK(refused.body.find("--max-sessions-per-plugin") != std::string::npos);
}

TEST_CASE("lifecycle: a client that disconnects leaves the queue") {
  HostProcess host = startHost({"--max-sessions", "1", "--session-request-timeout", "60"});
  REQUIRE(httpRequest(host.port(), "POST", "/session", kFake).status == 200);
  // A client that gives up after half a second.
  HttpAnswer gaveUp =
      httpRequest(host.port(), "POST", "/session", kFake, std::chrono::milliseconds(500));
  CHECK(gaveUp.status == 0);
  CHECK(eventually(
      [&] {
        return httpRequest(host.port(), "GET", "/status").body.find("\"queued\":0") !=
               std::string::npos;
      },
      std::chrono::seconds(10)));
}

TEST_CASE("lifecycle: idle sessions expire and say so while commands keep them alive") {
  HostProcess host = startHost({"--session-timeout", "1"});
  HttpAnswer created = httpRequest(host.port(), "POST", "/session", kFake);
  std::string id = sessionIdOf(created.body);
  REQUIRE(id.size() == 36);
  for (int i = 0; i < 6; ++i) {
    CHECK(httpRequest(host.port(), "GET", "/session/" + id + "/url").status == 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  // Watched through /status: a command would keep the session alive.
  CHECK(noSessionsWithin(host.port(), std::chrono::seconds(10)));
  HttpAnswer expired = httpRequest(host.port(), "GET", "/session/" + id + "/url");
  CHECK(expired.status == 404);
  CHECK(expired.body.find("invalid session id") != std::string::npos);
  CHECK(expired.body.find("expired") != std::string::npos);
}

TEST_CASE("lifecycle: wdhost:sessionTimeout per session, bounded by --max-session-timeout") {
  HostProcess host = startHost({"--session-timeout", "50", "--max-session-timeout", "100"});
  HttpAnswer tooLong = httpRequest(
      host.port(), "POST", "/session",
      R"({"capabilities":{"alwaysMatch":{"browserName":"fake","wdhost:sessionTimeout":101}}})");
  CHECK(tooLong.status == 400);
  CHECK(tooLong.body.find("--max-session-timeout") != std::string::npos);
  HttpAnswer created = httpRequest(
      host.port(), "POST", "/session",
      R"({"capabilities":{"alwaysMatch":{"browserName":"fake","wdhost:sessionTimeout":1}}})");
  REQUIRE(created.status == 200);
  CHECK(created.body.find("wdhost:") == std::string::npos);
  std::string id = sessionIdOf(created.body);
  CHECK(noSessionsWithin(host.port(), std::chrono::seconds(10)));
  CHECK(httpRequest(host.port(), "GET", "/session/" + id + "/url").status == 404);
}

TEST_CASE("lifecycle: a launch past --launch-timeout fails fast and the host stays healthy") {
  HostProcess host = startHost({"--launch-timeout", "1"});
  auto started = std::chrono::steady_clock::now();
  HttpAnswer hung =
      httpRequest(host.port(), "POST", "/session",
                  R"({"capabilities":{"alwaysMatch":{"browserName":"fake","fake:hang":true}}})");
  auto waited = std::chrono::steady_clock::now() - started;
  CHECK(hung.status == 500);
  CHECK(hung.body.find("--launch-timeout") != std::string::npos);
  CHECK(waited < std::chrono::milliseconds(2900));
  CHECK(httpRequest(host.port(), "POST", "/session", kFake).status == 200);
  CHECK(host.stop() == 0);
}

TEST_CASE("lifecycle: a plugin told its launch deadline answers with its own error first") {
  // --launch-timeout 4: the plugin's deadline is 1 s earlier, which it waits out, then says so.
  HostProcess host = startHost({"--launch-timeout", "4"});
  HttpAnswer late = httpRequest(
      host.port(), "POST", "/session",
      R"({"capabilities":{"alwaysMatch":{"browserName":"fake","fake:waitForDeadline":true}}})");
  CHECK(late.status == 500);
  CHECK(late.body.find("session not created") != std::string::npos);
  CHECK(late.body.find("fake stopped waiting: the host's deadline for it passed") !=
        std::string::npos);
  CHECK(host.stop() == 0);
}

TEST_CASE("lifecycle: a launch that ignores its cancellation does not hold host exit (T3)") {
  HostProcess host = startHost({"--launch-timeout", "1"});
  HttpAnswer hung = httpRequest(
      host.port(), "POST", "/session",
      R"({"capabilities":{"alwaysMatch":{"browserName":"fake","fake:hangMs":"120000"}}})");
  CHECK(hung.status == 500);
  CHECK(hung.body.find("--launch-timeout") != std::string::npos);
  // The launch goes on for two minutes; the host waits for it a bounded time (10 s), then exits.
  CHECK(host.stop(std::chrono::seconds(60)) == 0);
  CHECK(host.log().find("stopped without waiting for 1 plugin launch") != std::string::npos);
}

TEST_CASE("lifecycle: an auth token is required when set and remote binding needs one") {
  HostProcess host = startHost({"--auth-token", "s3cret"});
  HttpAnswer anonymous = httpRequest(host.port(), "GET", "/status");
  CHECK(anonymous.status == 401);
  CHECK(anonymous.body.find("token") != std::string::npos);

  CommandResult remote = runCommand(
      {WDHOST_BINARY, "--host", "0.0.0.0", "--port", "0", "--plugin-dir", WDHOST_FIXTURE_DIR});
  CHECK(remote.exitCode == 2);
  CHECK(remote.output.find("--auth-token") != std::string::npos);
}

TEST_CASE("lifecycle: thousands of create/delete cycles from concurrent clients, memory flat") {
  HostProcess host = startHost({"--max-sessions", "64"});
  auto cycle = [&](int count, std::atomic<int>* errors) {
    for (int i = 0; i < count; ++i) {
      HttpAnswer created = httpRequest(host.port(), "POST", "/session", kFake);
      std::string id = sessionIdOf(created.body);
      if (created.status != 200 ||
          httpRequest(host.port(), "GET", "/session/" + id + "/url").status != 200 ||
          httpRequest(host.port(), "DELETE", "/session/" + id).status != 200)
        ++*errors;
    }
  };
  std::atomic<int> errors{0};
  cycle(200, &errors); // warm up allocators and thread pools
  long before = rssKiB(host.pid());
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c)
    clients.emplace_back(cycle, 250, &errors);
  for (auto& client : clients)
    client.join();
  long after = rssKiB(host.pid());
  CHECK(errors.load() == 0);
  MESSAGE("host RSS " << before << " KiB before, " << after << " KiB after 2000 cycles");
#ifndef WDHOST_SANITIZED
  // Under AddressSanitizer freed memory sits in its quarantine, so RSS grows by design; there,
  // LeakSanitizer checks for leaks when the host exits instead.
  CHECK(after - before < 4096);
#endif
  // The last teardowns may still be running after their Delete answered.
  CHECK(noSessionsWithin(host.port(), std::chrono::seconds(10)));
}

TEST_CASE("lifecycle: Delete answers before the teardown, which keeps the slot until it is done") {
  HostProcess host = startHost({"--max-sessions", "1", "--no-queue"});
  const char* slow = R"({"capabilities":{"alwaysMatch":{"browserName":"fake",)"
                     R"("fake:slowTeardown":"3000"}}})";
  HttpAnswer created = httpRequest(host.port(), "POST", "/session", slow);
  REQUIRE(created.status == 200);
  std::string id = sessionIdOf(created.body);
  auto started = std::chrono::steady_clock::now();
  HttpAnswer deleted = httpRequest(host.port(), "DELETE", "/session/" + id);
  CHECK(deleted.status == 200);
  // Answered long before the plugin's 3 s teardown is over.
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
  // The session is gone for clients at once; its slot is taken while it closes.
  CHECK(httpRequest(host.port(), "GET", "/session/" + id + "/url").status == 404);
  std::string status = httpRequest(host.port(), "GET", "/status").body;
  CHECK(status.find("\"closing\":1") != std::string::npos);
  CHECK(status.find("\"sessions\":1") != std::string::npos);
  // Without a queue, a New Session that finds only a closing slot waits for that teardown
  // instead of failing: a suite's next test starts right after the last one's Delete.
  HttpAnswer next = httpRequest(host.port(), "POST", "/session", kFake);
  CHECK(next.status == 200);
  status = httpRequest(host.port(), "GET", "/status").body;
  CHECK(status.find("\"closing\":0") != std::string::npos);
  CHECK(status.find("\"sessions\":1") != std::string::npos);
  // With no session closing, it is refused at once, as --no-queue says.
  CHECK(httpRequest(host.port(), "POST", "/session", kFake).status == 500);
  CHECK(httpRequest(host.port(), "DELETE", "/session/" + sessionIdOf(next.body)).status == 200);
  CHECK(eventually(
      [&] {
        std::string now = httpRequest(host.port(), "GET", "/status").body;
        return now.find("\"closing\":0") != std::string::npos &&
               now.find("\"sessions\":0") != std::string::npos;
      },
      std::chrono::seconds(10)));
  // SIGTERM waits for a teardown in flight.
  created = httpRequest(host.port(), "POST", "/session", slow);
  REQUIRE(created.status == 200);
  CHECK(httpRequest(host.port(), "DELETE", "/session/" + sessionIdOf(created.body)).status == 200);
  auto stopping = std::chrono::steady_clock::now();
  CHECK(host.stop() == 0);
  CHECK(std::chrono::steady_clock::now() - stopping > std::chrono::seconds(2));
}
