// The relay against a driver stand-in on loopback: commands waiting on a slow driver hold no
// worker thread, and the driver's answers come back unchanged.
#include "support/host_process.h"
#include "support/loopback_listener.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <doctest/doctest.h>
#include <functional>
#include <mutex>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace wdhtest;

namespace {

// The scaffolding every driver stand-in here shares: a loopback listener, a thread accepting
// on it, and a thread per connection running `serve(fd)`. stop() stops listening (later
// connections are refused) and shuts every connection down; the destructor also joins and
// closes. Declare it after the state `serve` uses, so that it is destroyed first.
class StandInServer {
public:
  explicit StandInServer(std::function<void(int fd)> serve, int backlog = 64)
      : serve_(std::move(serve)), listener_(backlog) {
    acceptor_ = std::thread([this] {
      for (int fd; (fd = accept4(listener_.fd(), nullptr, nullptr, SOCK_CLOEXEC)) >= 0;) {
        std::lock_guard<std::mutex> lock(mutex_);
        connections_.push_back(fd);
        workers_.emplace_back([this, fd] { serve_(fd); });
      }
    });
  }
  ~StandInServer() {
    stop();
    for (auto& worker : workers_)
      worker.join();
    for (int fd : connections_)
      close(fd);
  }
  StandInServer(const StandInServer&) = delete;
  StandInServer& operator=(const StandInServer&) = delete;

  int port() const { return listener_.port(); }
  // Stops listening and shuts every connection down; later calls do nothing.
  void stop() {
    if (stopped_.exchange(true))
      return;
    listener_.stopAccepting();
    acceptor_.join();
    std::lock_guard<std::mutex> lock(mutex_);
    for (int fd : connections_)
      shutdown(fd, SHUT_RDWR);
  }

private:
  std::function<void(int)> serve_;
  LoopbackListener listener_;
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<int> connections_;
  std::vector<std::thread> workers_;
  std::atomic<bool> stopped_{false};
};

// A driver stand-in that holds every request until `expected` requests are waiting at once
// (or 20 s pass), then answers them all. It records the most it saw waiting together.
class GatheringDriver {
public:
  explicit GatheringDriver(int expected) : expected_(expected) {}
  ~GatheringDriver() {
    server_.stop();
    gathered_.notify_all(); // the held requests give up
  }
  int port() const { return server_.port(); }
  int mostWaiting() const { return mostWaiting_; }

private:
  void serve(int fd) {
    std::string in;
    char buffer[4096];
    for (;;) {
      while (in.find("\r\n\r\n") == std::string::npos) {
        ssize_t got = read(fd, buffer, sizeof buffer);
        if (got <= 0)
          return;
        in.append(buffer, static_cast<std::size_t>(got));
      }
      in.erase(0, in.find("\r\n\r\n") + 4); // requests here carry no body
      {
        std::unique_lock<std::mutex> lock(mutex_);
        ++waiting_;
        mostWaiting_ = std::max(mostWaiting_, waiting_);
        gathered_.notify_all();
        gathered_.wait_for(lock, std::chrono::seconds(20),
                           [this] { return mostWaiting_ >= expected_; });
        --waiting_;
      }
      std::string body = R"({"value":"gathered"})";
      std::string answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
                           "Content-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n" + body;
      if (write(fd, answer.data(), answer.size()) != static_cast<ssize_t>(answer.size()))
        return;
    }
  }

  int expected_;
  std::mutex mutex_;
  std::condition_variable gathered_;
  int waiting_ = 0;
  int mostWaiting_ = 0;
  StandInServer server_{[this](int fd) { serve(fd); }, 256};
};

// A driver stand-in that accepts POST .../timeouts and never answers anything else.
class StallingDriver {
public:
  int port() const { return server_.port(); }

private:
  static void serve(int fd) {
    std::string in;
    char buffer[4096];
    for (;;) {
      ssize_t got = read(fd, buffer, sizeof buffer);
      if (got <= 0)
        return; // closed by the host (or by the destructor)
      in.append(buffer, static_cast<std::size_t>(got));
      std::size_t end = in.find("\r\n\r\n");
      if (end == std::string::npos || in.rfind("POST", 0) != 0 ||
          in.find("/timeouts ") == std::string::npos)
        continue; // anything else: read on, never answer
      std::size_t length = std::stoul(in.substr(in.find("Content-Length: ") + 16));
      if (in.size() < end + 4 + length)
        continue;
      in.erase(0, end + 4 + length);
      std::string answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                           "Content-Length: 14\r\n\r\n{\"value\":null}";
      if (write(fd, answer.data(), answer.size()) != static_cast<ssize_t>(answer.size()))
        return;
    }
  }

  StandInServer server_{serve};
};

} // namespace

TEST_CASE("relay: a driver that never answers gets the client an error once the command's time "
          "is up") {
  StallingDriver driver;
  HostProcess host(WDHOST_BINARY, {"--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin", "fake"});
  std::string upstream = "http://127.0.0.1:" + std::to_string(driver.port()) + "/session/s";
  HttpAnswer created =
      httpRequest(host.port(), "POST", "/session",
                  R"({"capabilities":{"alwaysMatch":{"browserName":"fake","fake:upstream":")" +
                      upstream + "\"}}}");
  REQUIRE(created.status == 200);
  std::string session = "/session/" + sessionIdOf(created.body);
  // The shortest wait the host allows a relayed command: the session's own timeouts (0 here)
  // plus its 30 s margin.
  REQUIRE(httpRequest(host.port(), "POST", session + "/timeouts",
                      R"({"script":0,"pageLoad":0,"implicit":0})")
              .status == 200);
  auto started = std::chrono::steady_clock::now();
  HttpAnswer stalled =
      httpRequest(host.port(), "GET", session + "/url", {}, std::chrono::seconds(90));
  auto waited = std::chrono::steady_clock::now() - started;
  CHECK(stalled.status == 500);
  CHECK(stalled.body.find("\"unknown error\"") != std::string::npos);
  CHECK(stalled.body.find("did not answer GET /session/s/url within 30000 ms") !=
        std::string::npos);
  CHECK(waited >= std::chrono::seconds(29));
  // The host and the session are still usable.
  CHECK(httpRequest(host.port(), "GET", "/status").status == 200);
  CHECK(httpRequest(host.port(), "DELETE", session).status == 200);
  CHECK(host.stop() == 0);
}

TEST_CASE("relay: more commands waiting on the driver than --max-threads, all at once") {
  constexpr int kSessions = 24;
  GatheringDriver driver(kSessions);
  HostProcess host(WDHOST_BINARY, {"--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin", "fake",
                                   "--max-threads", "4", "--max-sessions", "30"});
  std::string upstream = "http://127.0.0.1:" + std::to_string(driver.port()) + "/session/d";
  std::vector<std::string> ids;
  for (int i = 0; i < kSessions; ++i) {
    HttpAnswer created =
        httpRequest(host.port(), "POST", "/session",
                    R"({"capabilities":{"alwaysMatch":{"browserName":"fake","fake:upstream":")" +
                        upstream + "\"}}}");
    REQUIRE(created.status == 200);
    ids.push_back(sessionIdOf(created.body));
  }
  // Each command waits at the driver until all of them are there: only a relay that holds no
  // thread per waiting command gets them there with 4 workers.
  std::vector<HttpAnswer> answers(kSessions);
  std::vector<std::thread> clients;
  for (int i = 0; i < kSessions; ++i)
    clients.emplace_back([&, i] {
      answers[i] = httpRequest(host.port(), "GET", "/session/" + ids[i] + "/url", {},
                               std::chrono::seconds(60));
    });
  for (auto& client : clients)
    client.join();
  CHECK(driver.mostWaiting() == kSessions);
  for (const HttpAnswer& answer : answers) {
    CHECK(answer.status == 200);
    CHECK(answer.body == R"({"value":"gathered"})");
    CHECK(answer.contentType == "application/json; charset=utf-8");
  }
  // The host is as responsive as before, and every session closes.
  CHECK(httpRequest(host.port(), "GET", "/status").status == 200);
  for (const std::string& id : ids)
    CHECK(httpRequest(host.port(), "DELETE", "/session/" + id).status == 200);
  CHECK(host.stop() == 0);
}

namespace {

// A driver stand-in whose every answer is a 16 MB value (a screenshot of a long page).
class HugeAnswerDriver {
public:
  int port() const { return server_.port(); }

private:
  static void serve(int fd) {
    std::string in;
    char buffer[4096];
    std::string body = "{\"value\":\"" + std::string(16 << 20, 'x') + "\"}";
    std::string head = "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
                       "Content-Length: " +
                       std::to_string(body.size()) + "\r\n\r\n";
    for (;;) {
      while (in.find("\r\n\r\n") == std::string::npos) {
        ssize_t got = read(fd, buffer, sizeof buffer);
        if (got <= 0)
          return;
        in.append(buffer, static_cast<std::size_t>(got));
      }
      in.erase(0, in.find("\r\n\r\n") + 4);
      std::string answer = head + body;
      for (std::size_t sent = 0; sent < answer.size();) {
        ssize_t n = write(fd, answer.data() + sent, answer.size() - sent);
        if (n <= 0)
          return;
        sent += static_cast<std::size_t>(n);
      }
    }
  }
  StandInServer server_{[](int fd) { serve(fd); }};
};

} // namespace

TEST_CASE("relay: clients that do not read their answers hold no worker") {
  HugeAnswerDriver driver;
  HostProcess host(WDHOST_BINARY, {"--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin", "fake"});
  std::string upstream = "http://127.0.0.1:" + std::to_string(driver.port()) + "/session/d";
  HttpAnswer created =
      httpRequest(host.port(), "POST", "/session",
                  R"({"capabilities":{"alwaysMatch":{"browserName":"fake","fake:upstream":")" +
                      upstream + "\"}}}");
  REQUIRE(created.status == 200);
  std::string id = sessionIdOf(created.body);
  // More readers that stall than the host has I/O workers, each with 16 MB coming.
  std::vector<int> stalled;
  for (int i = 0; i < 8; ++i) {
    int fd = connectTo(host.port());
    REQUIRE(fd >= 0);
    std::string request = "GET /session/" + id + "/screenshot HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    REQUIRE(write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size()));
    stalled.push_back(fd);
  }
  // Everyone else is answered at once meanwhile.
  for (int i = 0; i < 10; ++i)
    CHECK(httpRequest(host.port(), "GET", "/status", {}, std::chrono::seconds(5)).status == 200);
  // A stalled reader that reads again gets its whole answer. The host may still be reading the
  // driver's 8 x 16 MB (slow under sanitizers on a busy machine): wait up to a minute for it.
  timeval patient{60, 0};
  setsockopt(stalled.front(), SOL_SOCKET, SO_RCVTIMEO, &patient, sizeof patient);
  std::string got;
  char buffer[65536];
  while (got.size() < (16u << 20)) {
    ssize_t n = read(stalled.front(), buffer, sizeof buffer);
    if (n <= 0)
      break;
    got.append(buffer, static_cast<std::size_t>(n));
  }
  CHECK(got.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(got.size() >= (16u << 20));
  for (int fd : stalled)
    close(fd);
  CHECK(httpRequest(host.port(), "DELETE", "/session/" + id).status == 200);
  CHECK(host.stop() == 0);
}

namespace {

// A driver stand-in that answers every request with {"value":"ok"} until it dies: then it
// stops listening and drops its connections, as a killed driver does.
class MortalDriver {
public:
  int port() const { return server_.port(); }
  // Stops listening (connections are refused from now on) and drops every connection.
  void die() { server_.stop(); }

private:
  static void serve(int fd) {
    std::string in;
    char buffer[4096];
    for (;;) {
      while (in.find("\r\n\r\n") == std::string::npos) {
        ssize_t got = read(fd, buffer, sizeof buffer);
        if (got <= 0)
          return;
        in.append(buffer, static_cast<std::size_t>(got));
      }
      in.erase(0, in.find("\r\n\r\n") + 4); // requests here carry no body
      std::string answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
                           "Content-Length: 14\r\n\r\n{\"value\":\"ok\"}";
      if (write(fd, answer.data(), answer.size()) != static_cast<ssize_t>(answer.size()))
        return;
    }
  }

  StandInServer server_{serve};
};

} // namespace

TEST_CASE("relay: a dead driver means invalid session id at once, and the slot is freed") {
  MortalDriver driver;
  HostProcess host(WDHOST_BINARY, {"--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin", "fake",
                                   "--max-sessions", "1", "--no-queue"});
  std::string body = R"({"capabilities":{"alwaysMatch":{"browserName":"fake",)"
                     R"("fake:upstream":"http://127.0.0.1:)" +
                     std::to_string(driver.port()) + R"(/session/d1"}}})";
  HttpAnswer created = httpRequest(host.port(), "POST", "/session", body);
  REQUIRE(created.status == 200);
  std::string id = sessionIdOf(created.body);
  CHECK(httpRequest(host.port(), "GET", "/session/" + id + "/url").body == R"({"value":"ok"})");

  driver.die();
  // The command racing the death and the ones after it: the same answer, naming the cause.
  for (int i = 0; i < 3; ++i) {
    HttpAnswer answer = httpRequest(host.port(), "GET", "/session/" + id + "/url");
    CHECK(answer.status == 404);
    CHECK(answer.body.find(R"("error":"invalid session id")") != std::string::npos);
    CHECK(answer.body.find("is gone") != std::string::npos);
  }
  // Its slot is free again.
  CHECK(noSessionsWithin(host.port(), std::chrono::seconds(5)));
  MortalDriver next;
  std::string again = R"({"capabilities":{"alwaysMatch":{"browserName":"fake",)"
                      R"("fake:upstream":"http://127.0.0.1:)" +
                      std::to_string(next.port()) + R"(/session/d2"}}})";
  CHECK(httpRequest(host.port(), "POST", "/session", again).status == 200);
}
