// A flood of New Sessions against a full host: queued requests hold no thread, so /status and
// the running session's commands are still answered; the queue is bounded; a client that
// leaves leaves the queue; and every request waiting is answered when the host stops.
#include "support/fake_host.h"
#include "support/host_process.h"
#include "support/proc_files.h"
#include "support/scratch_dir.h"

#include <doctest/doctest.h>
#include <fstream>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace wdhtest;

namespace {

// The host's thread count, from /proc.
int threadsOf(int pid) {
  return static_cast<int>(procStatusField(pid, "Threads:"));
}

// A New Session sent on a connection of its own, left waiting for its answer.
int sendNewSession(int port) {
  int fd = connectTo(port);
  if (fd < 0)
    return -1;
  std::string body = kFakeNewSession;
  std::string request = "POST /session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                        "application/json\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\n\r\n" + body;
  if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
    close(fd);
    return -1;
  }
  return fd;
}

// What arrives on `fd` until the answer's body ends or 60 s pass without a byte.
std::string answerOn(int fd) {
  timeval limit{60, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  std::string got;
  char buffer[4096];
  while (got.find("\r\n\r\n") == std::string::npos || got.size() < got.find("\r\n\r\n") + 4 + [&] {
    std::size_t at = got.find("Content-Length: ");
    return at == std::string::npos ? 0 : std::stoul(got.substr(at + 16));
  }()) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n <= 0)
      break;
    got.append(buffer, static_cast<std::size_t>(n));
  }
  return got;
}

// The number after "queued": in /status.
int queuedOf(int port) {
  std::string body = httpRequest(port, "GET", "/status").body;
  std::size_t at = body.find("\"queued\":");
  return at == std::string::npos ? -1 : std::stoi(body.substr(at + 9));
}

bool queuedBecomes(int port, int count) {
  for (int i = 0; i < 1200; ++i) {
    if (queuedOf(port) == count)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

} // namespace

TEST_CASE("flood: queued New Sessions hold no thread, and the host keeps answering") {
  HostProcess host = startFakeHost({"--max-sessions", "1", "--max-threads", "8"});
  HttpAnswer running = httpRequest(host.port(), "POST", "/session", kFakeNewSession);
  REQUIRE(running.status == 200);
  std::string id = sessionIdOf(running.body);
  std::vector<int> waiting;
  auto send = [&](int count) {
    for (int i = 0; i < count; ++i) {
      int fd = sendNewSession(host.port());
      REQUIRE(fd >= 0);
      waiting.push_back(fd);
    }
  };
  // Requests sent at once are queued in the order the host reads them, which need not be the
  // order they were sent in: the one whose turn is checked below is queued alone, in between.
  send(100);
  REQUIRE(queuedBecomes(host.port(), 100));
  send(1);
  REQUIRE(queuedBecomes(host.port(), 101));
  send(99);
  // Far more waiters than --max-threads, and every one is queued.
  REQUIRE(queuedBecomes(host.port(), 200));
  CHECK(threadsOf(host.pid()) < 40);
  for (int i = 0; i < 20; ++i) {
    CHECK(httpRequest(host.port(), "GET", "/status", {}, std::chrono::seconds(30)).status == 200);
    // The fake plugin serves commands in-process: each is a job on the executor.
    CHECK(httpRequest(host.port(), "GET", "/session/" + id + "/url", {}, std::chrono::seconds(30))
              .status == 200);
  }
  // Clients that give up leave the queue.
  for (int i = 0; i < 100; ++i)
    close(waiting[static_cast<std::size_t>(i)]);
  waiting.erase(waiting.begin(), waiting.begin() + 100);
  CHECK(queuedBecomes(host.port(), 100));
  // The slot frees: one waiter gets its session (which one depends on the order the requests
  // reached the queue, not the order their connections opened); the others wait on.
  CHECK(httpRequest(host.port(), "DELETE", "/session/" + id).status == 200);
  CHECK(queuedBecomes(host.port(), 99));
  // Stopping answers everyone still waiting.
  CHECK(host.stop() == 0);
  int created = 0, refused = 0;
  for (int fd : waiting) {
    std::string answer = answerOn(fd);
    if (answer.rfind("HTTP/1.1 200", 0) == 0)
      ++created;
    else if (answer.rfind("HTTP/1.1 500", 0) == 0 &&
             answer.find("session not created") != std::string::npos)
      ++refused;
    else
      FAIL_CHECK("neither a session nor a W3C refusal: " << answer.substr(0, 200));
  }
  CHECK(created == 1);
  CHECK(refused == 99);
  for (int fd : waiting)
    close(fd);
}

TEST_CASE("flood: --max-queue refuses at once, naming the option") {
  HostProcess host = startFakeHost({"--max-sessions", "1", "--max-queue", "3"});
  REQUIRE(httpRequest(host.port(), "POST", "/session", kFakeNewSession).status == 200);
  std::vector<int> waiting;
  for (int i = 0; i < 3; ++i)
    waiting.push_back(sendNewSession(host.port()));
  REQUIRE(queuedBecomes(host.port(), 3));
  HttpAnswer refused =
      httpRequest(host.port(), "POST", "/session", kFakeNewSession, std::chrono::seconds(30));
  CHECK(refused.status == 500);
  CHECK(refused.body.find("--max-queue") != std::string::npos);
  CHECK(host.stop() == 0);
  for (int fd : waiting)
    close(fd);
}

TEST_CASE("flood: a full job executor answers 503 at once instead of hanging") {
  // Each New Session of the fake plugin with fake:launchGate holds a job thread until the test
  // opens the gate; with --max-threads 2 and no backlog (--max-queue 0), a third request finds
  // neither a thread nor room to wait for one.
  ScratchDir scratch("flood");
  HostProcess host =
      startFakeHost({"--max-sessions", "10", "--max-threads", "2", "--max-queue", "0"});
  const std::string slow = R"({"capabilities":{"alwaysMatch":{"browserName":"fake",)"
                           R"("fake:launchGate":")" +
                           scratch.path("gate") + "\"}}}";
  std::vector<std::thread> launches;
  for (int i = 0; i < 2; ++i)
    launches.emplace_back([&] { httpRequest(host.port(), "POST", "/session", slow); });
  struct OpenAtEnd { // lets the launches (and so this test) end, failed or not
    ScratchDir& scratch;
    std::vector<std::thread>& launches;
    ~OpenAtEnd() {
      scratch.write("gate", "open");
      for (auto& launch : launches)
        if (launch.joinable())
          launch.join();
    }
  } openAtEnd{scratch, launches};
  // Both hold their slot (and their thread) while they launch.
  REQUIRE(eventually(
      [&] {
        return httpRequest(host.port(), "GET", "/status").body.find("\"sessions\":2") !=
               std::string::npos;
      },
      std::chrono::seconds(30)));
  // A host that waited for a thread would answer only once the gate opens: never, here.
  HttpAnswer busy =
      httpRequest(host.port(), "POST", "/session", kFakeNewSession, std::chrono::seconds(30));
  CHECK(busy.status == 503);
  CHECK(busy.body.find("--max-threads") != std::string::npos);
  // What needs no thread is still answered.
  CHECK(httpRequest(host.port(), "GET", "/status", {}, std::chrono::seconds(30)).status == 200);
  scratch.write("gate", "open");
  for (auto& launch : launches)
    launch.join();
  CHECK(host.stop() == 0);
}
