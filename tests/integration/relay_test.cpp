// The relay against a driver stand-in on loopback: commands waiting on a slow driver hold no
// worker thread, and the driver's answers come back unchanged.
#include "support/host_process.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <doctest/doctest.h>
#include <mutex>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace wdhtest;

namespace {

// A driver stand-in that holds every request until `expected` requests are waiting at once
// (or 20 s pass), then answers them all. It records the most it saw waiting together.
class GatheringDriver {
public:
  explicit GatheringDriver(int expected) : expected_(expected) {
    listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    REQUIRE(bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(listen(listener_, 256) == 0);
    REQUIRE(getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { acceptLoop(); });
  }
  ~GatheringDriver() {
    shutdown(listener_, SHUT_RDWR);
    acceptor_.join();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (int fd : connections_)
        shutdown(fd, SHUT_RDWR);
    }
    gathered_.notify_all();
    for (auto& worker : workers_)
      worker.join();
    for (int fd : connections_)
      close(fd);
    close(listener_);
  }
  int port() const { return port_; }
  int mostWaiting() const { return mostWaiting_; }

private:
  void acceptLoop() {
    for (;;) {
      int fd = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0)
        return;
      std::lock_guard<std::mutex> lock(mutex_);
      connections_.push_back(fd);
      workers_.emplace_back([this, fd] { serve(fd); });
    }
  }
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
  int listener_ = -1;
  int port_ = 0;
  std::thread acceptor_;
  std::mutex mutex_;
  std::condition_variable gathered_;
  std::vector<int> connections_;
  std::vector<std::thread> workers_;
  int waiting_ = 0;
  int mostWaiting_ = 0;
};

} // namespace

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
