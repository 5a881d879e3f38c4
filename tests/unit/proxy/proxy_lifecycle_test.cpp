// The forwarding proxy's lifecycle: prompt stop with open tunnels, restarts, no leaks.
#include "proxy/forwarding_proxy.h"
#include "support/proxy_test_servers.h"

#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <chrono>
#include <doctest/doctest.h>
#include <poll.h>
#include <thread>

// These tests are about the proxy machinery on loopback: nothing is refused by address.
static const wdh::TargetPolicy kOpen = wdh::TargetPolicy::unrestricted();

using namespace wdhtest;

TEST_CASE("proxy: stop() closes an open tunnel promptly") {
  OriginServer origin;
  wdh::ForwardingProxy proxy({}, {}, kOpen);
  REQUIRE(proxy.start().isOk());
  Poco::Net::StreamSocket client;
  client.connect(Poco::Net::SocketAddress("127.0.0.1", proxy.port()), Poco::Timespan(5, 0));
  client.setReceiveTimeout(Poco::Timespan(5, 0));
  std::string connect = "CONNECT 127.0.0.1:" + std::to_string(origin.port()) + " HTTP/1.1\r\n\r\n";
  client.sendBytes(connect.data(), static_cast<int>(connect.size()));
  char buf[256];
  int n = client.receiveBytes(buf, sizeof buf);
  REQUIRE(n > 0);
  CHECK(statusOf(std::string(buf, static_cast<size_t>(n))) == 200);

  // A second client that never finishes its request head.
  Poco::Net::StreamSocket idle;
  idle.connect(Poco::Net::SocketAddress("127.0.0.1", proxy.port()), Poco::Timespan(5, 0));
  idle.sendBytes("GET http://", 11);

  // stop() closes both now rather than at their own timeouts (the head's 30 s, the tunnel's
  // 5 min: a stop that waited for them would hold this test that long).
  proxy.stop();
  client.setReceiveTimeout(Poco::Timespan(60, 0));
  idle.setReceiveTimeout(Poco::Timespan(60, 0));
  CHECK(client.receiveBytes(buf, sizeof buf) == 0); // the tunnel is closed
  // And so is the unfinished request: with a FIN, or a reset when the proxy was stopped before it
  // read the partial head (closing a socket with unread bytes resets it).
  bool idleClosed = false;
  try {
    idleClosed = idle.receiveBytes(buf, sizeof buf) <= 0;
  } catch (const Poco::Net::ConnectionResetException&) {
    idleClosed = true;
  }
  CHECK(idleClosed);
  CHECK(proxy.port() == 0);
}

TEST_CASE("proxy: stop() ends a wait on a silent upstream promptly") {
  Poco::Net::ServerSocket silent(Poco::Net::SocketAddress("127.0.0.1", 0)); // never accepts
  wdh::UpstreamProxy upstream;
  upstream.kind = wdh::UpstreamProxy::Kind::Socks5;
  upstream.host = "127.0.0.1";
  upstream.port = silent.address().port();
  wdh::ForwardingProxy proxy(upstream, {}, kOpen);
  REQUIRE(proxy.start().isOk());
  Poco::Net::StreamSocket client;
  client.connect(Poco::Net::SocketAddress("127.0.0.1", proxy.port()), Poco::Timespan(5, 0));
  client.setReceiveTimeout(Poco::Timespan(60, 0));
  std::string connect = "CONNECT origin.test:443 HTTP/1.1\r\n\r\n";
  client.sendBytes(connect.data(), static_cast<int>(connect.size()));
  // The proxy's connection waits in the silent upstream's accept queue: it dialed, and now
  // awaits the SOCKS5 reply (for up to its 30 s handshake timeout).
  pollfd dialed{silent.impl()->sockfd(), POLLIN, 0};
  REQUIRE(poll(&dialed, 1, 30000) == 1);

  proxy.stop();
  // Abandoned by stop() (502, or closed), not ended by that timeout (504).
  char buf[256];
  int n = client.receiveBytes(buf, sizeof buf);
  CHECK((n == 0 || statusOf(std::string(buf, static_cast<size_t>(n))) == 502));
}

TEST_CASE("proxy: start twice is an error, stop twice is harmless, restart works") {
  OriginServer origin;
  wdh::ForwardingProxy proxy({}, {}, kOpen);
  CHECK(proxy.port() == 0);
  proxy.stop();
  REQUIRE(proxy.start().isOk());
  CHECK_FALSE(proxy.start().isOk());
  proxy.stop();
  proxy.stop();
  REQUIRE(proxy.start().isOk());
  std::string response =
      exchange(proxy.port(),
               "GET http://127.0.0.1:" + std::to_string(origin.port()) + "/again HTTP/1.1\r\n\r\n");
  CHECK(statusOf(response) == 200);
}

TEST_CASE("proxy: 50 start and stop cycles leak no thread and no descriptor") {
  auto cycle = [] {
    wdh::ForwardingProxy proxy({}, {"allowed.test"}, kOpen);
    REQUIRE(proxy.start().isOk());
    CHECK(statusOf(exchange(proxy.port(), "CONNECT blocked.test:443 HTTP/1.1\r\n\r\n")) == 403);
    proxy.stop();
  };
  cycle(); // warm-up: anything created once per process exists before counting
  int fds = countFds();
  int threads = countThreads();
  for (int i = 0; i < 50; ++i)
    cycle();
  CHECK(countFds() == fds);
  CHECK(countThreads() == threads);
}
