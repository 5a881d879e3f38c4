// The forwarding proxy without an upstream: plain requests, CONNECT tunnels, refusals, allowlist.
#include "proxy/forwarding_proxy.h"
#include "support/proxy_test_servers.h"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <algorithm>
#include <doctest/doctest.h>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

// These tests are about the proxy machinery on loopback: nothing is refused by address.
static const wdh::TargetPolicy kOpen = wdh::TargetPolicy::unrestricted();

using namespace wdhtest;

namespace {

std::string local(uint16_t port) {
  return "127.0.0.1:" + std::to_string(port);
}

} // namespace

TEST_CASE("proxy: a plain absolute-URI GET reaches the origin directly") {
  OriginServer origin;
  wdh::ForwardingProxy proxy({}, {}, kOpen);
  REQUIRE(proxy.start().isOk());
  REQUIRE(proxy.port() != 0);
  std::string response =
      exchange(proxy.port(), "GET http://" + local(origin.port()) +
                                 "/hello?x=1 HTTP/1.1\r\nHost: " + local(origin.port()) +
                                 "\r\nProxy-Connection: keep-alive\r\n\r\n");
  CHECK(statusOf(response) == 200);
  CHECK(response.find("origin GET /hello?x=1 host=" + local(origin.port())) != std::string::npos);
  CHECK(origin.requests() == 1);
  CHECK(proxy.stats().served == 1);
}

TEST_CASE("proxy: a POST body is forwarded to the origin") {
  OriginServer origin;
  wdh::ForwardingProxy proxy({}, {}, kOpen);
  REQUIRE(proxy.start().isOk());
  std::string response =
      exchange(proxy.port(), "POST http://" + local(origin.port()) +
                                 "/form HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
  CHECK(statusOf(response) == 200);
  CHECK(response.find("origin POST /form") != std::string::npos);
}

TEST_CASE("proxy: CONNECT opens a tunnel that carries raw HTTP to the origin") {
  OriginServer origin;
  wdh::ForwardingProxy proxy({}, {}, kOpen);
  REQUIRE(proxy.start().isOk());
  std::string response =
      connectAndSend(proxy.port(), local(origin.port()),
                     "GET /tunnel HTTP/1.1\r\nHost: origin\r\nConnection: close\r\n\r\n");
  CHECK(statusOf(response) == 200);
  CHECK(response.find("origin GET /tunnel host=origin") != std::string::npos);
  CHECK(proxy.stats().served == 1);
}

TEST_CASE("proxy: malformed and unsupported requests are refused") {
  wdh::ForwardingProxy proxy({}, {}, kOpen);
  REQUIRE(proxy.start().isOk());
  CHECK(statusOf(exchange(proxy.port(), "GET /relative HTTP/1.1\r\nHost: x\r\n\r\n")) == 400);
  CHECK(statusOf(exchange(proxy.port(), "TRACE http://127.0.0.1:1/ HTTP/1.1\r\n\r\n")) == 405);
  CHECK(statusOf(exchange(proxy.port(), "garbage\r\n\r\n")) == 400);
  CHECK(proxy.stats().refused == 3);
  CHECK(proxy.stats().served == 0);
}

TEST_CASE("proxy: an unreachable target answers 502 and counts a failure") {
  uint16_t closedPort = 0;
  {
    OriginServer gone;
    closedPort = gone.port();
  }
  wdh::ForwardingProxy proxy({}, {}, kOpen);
  REQUIRE(proxy.start().isOk());
  std::string response =
      exchange(proxy.port(), "CONNECT " + local(closedPort) + " HTTP/1.1\r\n\r\n");
  CHECK(statusOf(response) == 502);
  CHECK(response.find("cannot reach") != std::string::npos);
  CHECK(proxy.stats().failed == 1);
}

TEST_CASE("proxy: without an upstream the allowlist still applies and allowHost extends it") {
  OriginServer origin;
  wdh::ForwardingProxy proxy({}, {"allowed.test"}, kOpen);
  REQUIRE(proxy.start().isOk());
  std::string url = "http://" + local(origin.port()) + "/";
  std::string response = exchange(proxy.port(), "GET " + url + " HTTP/1.1\r\n\r\n");
  CHECK(statusOf(response) == 403);
  CHECK(response.find("Content-Type: text/plain") != std::string::npos);
  CHECK(response.find("127.0.0.1 is not in this session's allowed domains") != std::string::npos);
  CHECK(origin.requests() == 0);

  proxy.allowHost("127.0.0.1");
  response = exchange(proxy.port(), "GET " + url + " HTTP/1.1\r\n\r\n");
  CHECK(statusOf(response) == 200);
  CHECK(origin.requests() == 1);
  CHECK(proxy.stats().refused == 1);
  CHECK(proxy.stats().served == 1);
}

TEST_CASE("proxy: allowHost is a no-op without an allowlist") {
  OriginServer origin;
  wdh::ForwardingProxy proxy({}, {}, kOpen);
  proxy.allowHost("only.test");
  REQUIRE(proxy.start().isOk());
  std::string response =
      exchange(proxy.port(), "GET http://" + local(origin.port()) + "/ HTTP/1.1\r\n\r\n");
  CHECK(statusOf(response) == 200);
}

TEST_CASE("proxy: a tunnel carries a megabyte both ways with backpressure") {
  TcpTestServer echo([](Poco::Net::StreamSocket& s) {
    char buf[4096];
    for (;;) {
      int n = s.receiveBytes(buf, sizeof buf);
      if (n <= 0)
        return;
      s.sendBytes(buf, n);
    }
  });
  wdh::ForwardingProxy proxy({}, {}, kOpen);
  REQUIRE(proxy.start().isOk());
  Poco::Net::StreamSocket client;
  client.connect(Poco::Net::SocketAddress("127.0.0.1", proxy.port()), Poco::Timespan(5, 0));
  client.setReceiveTimeout(Poco::Timespan(5, 0));
  std::string connect = "CONNECT " + local(echo.port()) + " HTTP/1.1\r\n\r\n";
  client.sendBytes(connect.data(), static_cast<int>(connect.size()));
  std::string head;
  char buf[8192];
  while (head.find("\r\n\r\n") == std::string::npos) {
    int n = client.receiveBytes(buf, 1);
    REQUIRE(n == 1);
    head.append(buf, 1);
  }
  REQUIRE(statusOf(head) == 200);

  std::string payload(1024 * 1024, '\0');
  for (size_t i = 0; i < payload.size(); ++i)
    payload[i] = static_cast<char>(i * 7 % 251);
  std::thread writer([&] {
    size_t done = 0;
    while (done < payload.size()) {
      int n = client.sendBytes(payload.data() + done,
                               static_cast<int>(std::min<size_t>(65536, payload.size() - done)));
      if (n <= 0)
        return;
      done += static_cast<size_t>(n);
    }
  });
  std::string received;
  while (received.size() < payload.size()) {
    int n = client.receiveBytes(buf, sizeof buf);
    if (n <= 0)
      break;
    received.append(buf, static_cast<size_t>(n));
  }
  writer.join();
  CHECK(received.size() == payload.size());
  CHECK(received == payload);
}

namespace {

// The threads of this process, from /proc.
int ownThreads() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("Threads:", 0) == 0)
      return std::stoi(line.substr(8));
  return -1;
}

} // namespace

TEST_CASE("proxy: a hundred open tunnels cost no thread each, and carry bytes both ways") {
  constexpr int kTunnels = 100;
  Poco::Net::ServerSocket origin(Poco::Net::SocketAddress("127.0.0.1", 0), kTunnels);
  std::vector<Poco::Net::StreamSocket> accepted;
  std::thread acceptor([&] {
    for (int i = 0; i < kTunnels; ++i)
      accepted.push_back(origin.acceptConnection());
  });
  int before = ownThreads();
  wdh::ForwardingProxy proxy({}, {}, kOpen);
  REQUIRE(proxy.start().isOk());
  std::vector<Poco::Net::StreamSocket> clients;
  for (int i = 0; i < kTunnels; ++i) {
    Poco::Net::StreamSocket client(Poco::Net::SocketAddress("127.0.0.1", proxy.port()));
    client.setReceiveTimeout(Poco::Timespan(5, 0));
    std::string connect = "CONNECT " + local(origin.address().port()) + " HTTP/1.1\r\n\r\n";
    client.sendBytes(connect.data(), static_cast<int>(connect.size()));
    char answer[64] = {0};
    int got = client.receiveBytes(answer, sizeof answer - 1);
    REQUIRE(got > 0);
    REQUIRE(std::string(answer).rfind("HTTP/1.1 200", 0) == 0);
    clients.push_back(client);
  }
  acceptor.join();
  // The handshake threads end once their tunnel is handed over; the tunnels then share one.
  bool few = false;
  for (int i = 0; i < 100 && !few; ++i) {
    few = ownThreads() - before < 10;
    if (!few)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(few);
  for (int i = 0; i < kTunnels; ++i) {
    clients[static_cast<std::size_t>(i)].sendBytes("u", 1);
    accepted[static_cast<std::size_t>(i)].sendBytes("d", 1);
  }
  for (int i = 0; i < kTunnels; ++i) {
    char byte = 0;
    accepted[static_cast<std::size_t>(i)].setReceiveTimeout(Poco::Timespan(5, 0));
    CHECK(accepted[static_cast<std::size_t>(i)].receiveBytes(&byte, 1) == 1);
    CHECK(byte == 'u');
    CHECK(clients[static_cast<std::size_t>(i)].receiveBytes(&byte, 1) == 1);
    CHECK(byte == 'd');
  }
  // Stopping the proxy ends every tunnel.
  proxy.stop();
  char byte = 0;
  CHECK(clients.front().receiveBytes(&byte, 1) == 0);
}
