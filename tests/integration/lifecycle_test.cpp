// Session lifecycle through the real binary with the fake plugin: slots and the queue, idle
// timeouts, launch timeouts, authentication, and many create/delete cycles.
#include "support/fake_host.h"
#include "support/host_process.h"
#include "support/scratch_dir.h"

#include <atomic>
#include <csignal>
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
  std::atomic<bool> deleting{false};
  auto second = std::async(std::launch::async, [&] {
    HttpAnswer answer = httpRequest(host.port(), "POST", "/session", kFake);
    return std::make_pair(answer, deleting.load());
  });
  CHECK(eventually(
      [&] {
        return httpRequest(host.port(), "GET", "/status").body.find("\"queued\":1") !=
               std::string::npos;
      },
      std::chrono::seconds(10)));
  HttpAnswer status = httpRequest(host.port(), "GET", "/status");
  CHECK(status.body.find("\"ready\":false") != std::string::npos);
  CHECK(status.body.find("\"maxSessions\":1") != std::string::npos);
  // Still queued after the Delete is sent: it was not answered before its slot could free.
  deleting = true;
  CHECK(httpRequest(host.port(), "DELETE", "/session/" + sessionIdOf(first.body)).status == 200);
  REQUIRE(second.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
  auto [answer, deletingWhenAnswered] = second.get();
  CHECK(answer.status == 200);
  CHECK(deletingWhenAnswered);
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
  using Clock = std::chrono::steady_clock;
  const auto timeout = std::chrono::seconds(1);
  auto lastSent = Clock::now(); // the session is used (created) after this
  HttpAnswer created = httpRequest(host.port(), "POST", "/session", kFake);
  std::string id = sessionIdOf(created.body);
  REQUIRE(id.size() == 36);
  // Commands for more than twice the timeout. The host marks a command's start and end, so the
  // session can have expired before a command only if the time from sending the one before to
  // hearing this one's answer reached the timeout: only then may it be gone (this machine
  // stalled), and nothing after that is judged.
  auto began = Clock::now();
  while (Clock::now() - began < 2 * timeout + std::chrono::milliseconds(500)) {
    auto sent = Clock::now();
    int status = httpRequest(host.port(), "GET", "/session/" + id + "/url").status;
    if (Clock::now() - lastSent >= timeout) {
      MESSAGE(
          "a command came "
          << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - lastSent).count()
          << " ms after the one before: the rest is not judged");
      break;
    }
    CHECK(status == 200);
    lastSent = sent;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
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
  ScratchDir scratch("launch-timeout");
  HostProcess host = startHost({"--launch-timeout", "1", "--max-sessions", "2"});
  // The launch waits for a file that appears only after the answer came: the answer is the
  // timeout's, never the launch's.
  std::string gate = scratch.path("gate");
  HttpAnswer hung = httpRequest(host.port(), "POST", "/session",
                                R"({"capabilities":{"alwaysMatch":{"browserName":"fake",)"
                                R"("fake:launchGate":")" +
                                    gate + "\"}}}");
  CHECK(hung.status == 500);
  CHECK(hung.body.find("--launch-timeout") != std::string::npos);
  HttpAnswer healthy = httpRequest(host.port(), "POST", "/session", kFake);
  CHECK(healthy.status == 200);
  // The launch that went on is cleaned up once it ends: only the healthy session is left.
  scratch.write("gate", "open");
  CHECK(httpRequest(host.port(), "DELETE", "/session/" + sessionIdOf(healthy.body)).status == 200);
  CHECK(noSessionsWithin(host.port(), std::chrono::seconds(60)));
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

TEST_CASE("lifecycle: hundreds of create/delete cycles from concurrent clients leave nothing") {
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
  cycle(20, &errors); // the host's threads and connections as they are when in use
  REQUIRE(noSessionsWithin(host.port(), std::chrono::seconds(30)));
  double filesBefore = metricValue(host.port(), "wdhost_open_files");
  REQUIRE(filesBefore > 0);
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c)
    clients.emplace_back(cycle, 35, &errors);
  for (auto& client : clients)
    client.join();
  CHECK(errors.load() == 0);
  // What 300 cycles made is gone once their teardowns are (they may still run after their
  // Delete answered): no slot, no session object (live, closing or leaked), no process, and no
  // descriptor more than before. Leaks of plain memory are LeakSanitizer's, at the host's exit
  // in the sanitized build.
  CHECK(noSessionsWithin(host.port(), std::chrono::seconds(30)));
  CHECK(eventually([&] { return metricValue(host.port(), "wdhost_session_objects") == 0; },
                   std::chrono::seconds(30)));
  CHECK(metricValue(host.port(), "wdhost_processes") == 0);
  double filesAfter = -1;
  CHECK(eventually(
      [&] {
        filesAfter = metricValue(host.port(), "wdhost_open_files");
        return filesAfter >= 0 && filesAfter <= filesBefore;
      },
      std::chrono::seconds(30)));
  MESSAGE("host descriptors: " << filesBefore << " before, " << filesAfter << " after");
  CHECK(host.stop() == 0);
}

TEST_CASE("lifecycle: Delete answers before the teardown, which keeps the slot until it is done") {
  ScratchDir scratch("teardown");
  HostProcess host = startHost({"--max-sessions", "1", "--no-queue"});
  // Its teardown waits for a gate the test opens: Delete's answer cannot wait for it.
  auto held = [&](const std::string& name) {
    return R"({"capabilities":{"alwaysMatch":{"browserName":"fake","fake:teardownGate":")" +
           scratch.path(name + ".gate") + R"(","fake:teardownMark":")" +
           scratch.path(name + ".done") + "\"}}}";
  };
  auto tornDown = [&](const std::string& name) {
    return std::ifstream(scratch.path(name + ".done")).good();
  };
  HttpAnswer created = httpRequest(host.port(), "POST", "/session", held("first"));
  REQUIRE(created.status == 200);
  std::string id = sessionIdOf(created.body);
  HttpAnswer deleted = httpRequest(host.port(), "DELETE", "/session/" + id);
  CHECK(deleted.status == 200);
  CHECK_FALSE(tornDown("first"));
  // The session is gone for clients at once; its slot is taken while it closes.
  CHECK(httpRequest(host.port(), "GET", "/session/" + id + "/url").status == 404);
  std::string status = httpRequest(host.port(), "GET", "/status").body;
  CHECK(status.find("\"closing\":1") != std::string::npos);
  CHECK(status.find("\"sessions\":1") != std::string::npos);
  // Without a queue, a New Session that finds only a closing slot waits for that teardown
  // instead of failing: a suite's next test starts right after the last one's Delete.
  auto next = std::async(std::launch::async,
                         [&] { return httpRequest(host.port(), "POST", "/session", kFake); });
  // It waits for that slot (counted as queued), and gets it once the teardown is let through.
  CHECK(eventually(
      [&] {
        return httpRequest(host.port(), "GET", "/status").body.find("\"queued\":1") !=
               std::string::npos;
      },
      std::chrono::seconds(30)));
  CHECK_FALSE(tornDown("first"));
  scratch.write("first.gate", "open");
  REQUIRE(next.wait_for(std::chrono::seconds(60)) == std::future_status::ready);
  HttpAnswer nextAnswer = next.get();
  CHECK(nextAnswer.status == 200);
  CHECK(tornDown("first"));
  status = httpRequest(host.port(), "GET", "/status").body;
  CHECK(status.find("\"closing\":0") != std::string::npos);
  CHECK(status.find("\"sessions\":1") != std::string::npos);
  // With no session closing, it is refused at once, as --no-queue says.
  CHECK(httpRequest(host.port(), "POST", "/session", kFake).status == 500);
  CHECK(httpRequest(host.port(), "DELETE", "/session/" + sessionIdOf(nextAnswer.body)).status ==
        200);
  CHECK(eventually(
      [&] {
        std::string now = httpRequest(host.port(), "GET", "/status").body;
        return now.find("\"closing\":0") != std::string::npos &&
               now.find("\"sessions\":0") != std::string::npos;
      },
      std::chrono::seconds(30)));
  // SIGTERM waits for a teardown in flight: the host exits only once it is done.
  created = httpRequest(host.port(), "POST", "/session", held("last"));
  REQUIRE(created.status == 200);
  CHECK(httpRequest(host.port(), "DELETE", "/session/" + sessionIdOf(created.body)).status == 200);
  CHECK_FALSE(tornDown("last"));
  // The gate opens only once SIGTERM was sent: the teardown was under way when it came, and
  // its mark, written at its end inside the host, shows that the host waited for it.
  REQUIRE(kill(host.pid(), SIGTERM) == 0);
  scratch.write("last.gate", "open");
  CHECK(host.waitForExit(std::chrono::seconds(60)) == 0);
  CHECK(tornDown("last"));
}
