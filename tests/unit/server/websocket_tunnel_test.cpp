#include "http/websocket.h"
#include "server/tunnel_loop.h"
#include "support/loopback_listener.h"

#include <Poco/Net/SocketAddress.h>
#include <atomic>
#include <chrono>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

using namespace wdh;

namespace {

// A client socket pair and an upstream TCP connection joined by a tunnel on a TunnelLoop.
struct TunnelRig {
  TunnelLoop loop{2};
  wdhtest::LoopbackListener listener;
  int client = -1;   // the test's end of the client connection
  int upstream = -1; // the test's end of the upstream connection (the "driver")
  std::atomic<int> activity{0};

  explicit TunnelRig(std::string fromClient = {}, std::string fromUpstream = {}) {
    REQUIRE(loop.start());
    int pair[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
    client = pair[0];
    Poco::Net::StreamSocket toUpstream;
    toUpstream.connect(
        Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(listener.port())));
    upstream = accept4(listener.fd(), nullptr, nullptr, SOCK_CLOEXEC);
    REQUIRE(upstream >= 0);
    fcntl(pair[1], F_SETFL, O_NONBLOCK);
    REQUIRE(loop.reserve("s1"));
    loop.adopt(std::make_unique<WebSocketTunnel>("s1", pair[1], std::move(toUpstream),
                                                 std::move(fromClient), std::move(fromUpstream),
                                                 [this] { ++activity; }));
  }
  ~TunnelRig() {
    loop.stop();
    ::close(client);
    ::close(upstream);
  }
};

// Reads from `fd` until `size` bytes came, the peer closed, or `bound` passed.
std::string readUpTo(int fd, std::size_t size,
                     std::chrono::milliseconds bound = std::chrono::seconds(30)) {
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + bound;
  while (out.size() < size && std::chrono::steady_clock::now() < deadline) {
    pollfd wait{fd, POLLIN, 0};
    if (poll(&wait, 1, 100) <= 0)
      continue;
    char buffer[65536];
    ssize_t got = recv(fd, buffer, std::min(sizeof buffer, size - out.size()), 0);
    if (got <= 0)
      break;
    out.append(buffer, static_cast<std::size_t>(got));
  }
  return out;
}

void sendText(int fd, const std::string& text) {
  REQUIRE(send(fd, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size()));
}

} // namespace

TEST_CASE("tunnel: bytes pass both ways unchanged, early bytes first") {
  TunnelRig rig("early-from-client", "early-from-upstream");
  CHECK(readUpTo(rig.upstream, 17) == "early-from-client");
  CHECK(readUpTo(rig.client, 19) == "early-from-upstream");
  sendText(rig.client, "ping");
  CHECK(readUpTo(rig.upstream, 4) == "ping");
  sendText(rig.upstream, textFrame("pong"));
  CHECK(readUpTo(rig.client, 6) == textFrame("pong"));
  CHECK(rig.activity.load() >= 2);
  CHECK(rig.loop.openCount() == 1);
}

TEST_CASE("tunnel: a session's end sends a close frame after the frames already relayed") {
  TunnelRig rig;
  sendText(rig.upstream, textFrame("event"));
  CHECK(readUpTo(rig.client, 7) == textFrame("event"));
  rig.loop.closeSession("s1", 1000, "session ended: it was deleted");
  std::string expected = closeFrame(1000, "session ended: it was deleted");
  CHECK(readUpTo(rig.client, expected.size()) == expected);
  // The client answers and hangs up; the tunnel is then gone, and its place free.
  ::shutdown(rig.client, SHUT_WR);
  bool gone = false;
  for (int i = 0; i < 1500 && !gone; ++i) {
    gone = rig.loop.openCount() == 0;
    usleep(20000);
  }
  CHECK(gone);
  CHECK(rig.loop.reserve("s1"));
  CHECK(rig.loop.reserve("s1"));
  CHECK_FALSE(rig.loop.reserve("s1")); // two places per session in this rig
}

TEST_CASE("tunnel: an upstream that goes away unannounced ends the client with 1011") {
  TunnelRig rig;
  sendText(rig.upstream, textFrame("last event"));
  CHECK(readUpTo(rig.client, 12) == textFrame("last event"));
  ::close(rig.upstream);
  rig.upstream = -1;
  std::string close = readUpTo(rig.client, 4096);
  REQUIRE(close.size() >= 4);
  CHECK(static_cast<unsigned char>(close[0]) == 0x88);
  CHECK(static_cast<unsigned char>(close[2]) * 256 + static_cast<unsigned char>(close[3]) == 1011);
}

TEST_CASE("tunnel: a client that stops reading holds the upstream back, not the host's memory") {
  TunnelRig rig;
  const WebSocketTraffic& traffic = rig.loop.traffic();
  fcntl(rig.upstream, F_SETFL, O_NONBLOCK);
  std::string chunk(64 * 1024, 'x');
  std::size_t written = 0;
  // The upstream floods until the tunnel says it stopped reading it: its buffer is full.
  for (int round = 0; round < 6000 && traffic.readsHeld.load() == 0; ++round) {
    ssize_t sent = send(rig.upstream, chunk.data(), chunk.size(), MSG_NOSIGNAL);
    if (sent > 0) {
      written += static_cast<std::size_t>(sent);
      continue;
    }
    pollfd wait{rig.upstream, POLLOUT, 0};
    poll(&wait, 1, 10);
  }
  REQUIRE(traffic.readsHeld.load() == 1);
  CHECK(traffic.bytesBuffered.load() == static_cast<std::int64_t>(WebSocketTunnel::kBufferLimit));
  // Held back: nothing reads the upstream any more, so what it can still send is what the
  // kernel holds on the way, and then its socket takes no more.
  for (;;) {
    ssize_t sent = send(rig.upstream, chunk.data(), chunk.size(), MSG_NOSIGNAL);
    if (sent <= 0)
      break;
    written += static_cast<std::size_t>(sent);
    REQUIRE(written < WebSocketTunnel::kBufferLimit + 64u * 1024 * 1024);
  }
  CHECK(traffic.bytesBuffered.load() == static_cast<std::int64_t>(WebSocketTunnel::kBufferLimit));
  // Once the client reads again, everything arrives, and the buffer empties.
  fcntl(rig.upstream, F_SETFL, 0);
  CHECK(readUpTo(rig.client, written, std::chrono::seconds(60)).size() == written);
  bool drained = false;
  for (int i = 0; i < 3000 && !drained; ++i) {
    drained = traffic.bytesBuffered.load() == 0 && traffic.readsHeld.load() == 0;
    usleep(10000);
  }
  CHECK(drained);
}

TEST_CASE("tunnel: what a tunnel held is given back when it goes") {
  WebSocketTraffic traffic;
  {
    TunnelRig rig;
    rig.loop.stop(); // the tunnel is gone; the rig's own counters are back to 0
    CHECK(rig.loop.traffic().bytesBuffered.load() == 0);
    CHECK(rig.loop.traffic().readsHeld.load() == 0);
  }
  int pair[2];
  REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
  wdhtest::LoopbackListener listener;
  Poco::Net::StreamSocket toUpstream;
  toUpstream.connect(
      Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(listener.port())));
  {
    // Bytes read with the handshake are held from the start.
    WebSocketTunnel tunnel("s1", pair[1], std::move(toUpstream), "from-client", "from-upstream",
                           {});
    tunnel.countInto(&traffic);
    CHECK(traffic.bytesBuffered.load() == 24);
    CHECK(traffic.readsHeld.load() == 0);
  }
  CHECK(traffic.bytesBuffered.load() == 0);
  ::close(pair[0]);
}
