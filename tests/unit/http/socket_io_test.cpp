// Plain socket operations over socket pairs: gathered sends that survive partial writes, a peer
// that stops reading (timeout) or is gone (the errno), the stop descriptor that abandons a wait,
// exact reads, and HTTP heads split from what follows them. A "timeout" here is a state the
// call reports, never a duration the test measures.
#include "http/socket_io.h"

#include <cerrno>
#include <cstring>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <string>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace wdh;
using namespace std::chrono_literals;

namespace {

// A connected pair of non-blocking stream sockets, closed when destroyed.
struct SocketPair {
  int a = -1;
  int b = -1;
  SocketPair() {
    int fds[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0);
    a = fds[0];
    b = fds[1];
  }
  ~SocketPair() {
    closeA();
    closeB();
  }
  void closeA() {
    if (a >= 0)
      close(a);
    a = -1;
  }
  void closeB() {
    if (b >= 0)
      close(b);
    b = -1;
  }
};

// An eventfd, readable once fire() is called.
struct StopFd {
  int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  ~StopFd() { close(fd); }
  void fire() const {
    std::uint64_t one = 1;
    REQUIRE(write(fd, &one, sizeof one) == sizeof one);
  }
};

// Fills the socket's send buffer (and the peer's receive buffer) until it takes no more.
void fill(int fd) {
  std::string block(65536, 'x');
  while (send(fd, block.data(), block.size(), MSG_NOSIGNAL | MSG_DONTWAIT) > 0) {
  }
  REQUIRE((errno == EAGAIN || errno == EWOULDBLOCK));
}

// Reads everything until the peer closes, waiting at most 30 s in all.
std::string drain(int fd) {
  std::string got;
  char buffer[65536];
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd wait{fd, POLLIN, 0};
    if (poll(&wait, 1, 1000) <= 0)
      continue;
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n == 0)
      break;
    if (n > 0)
      got.append(buffer, static_cast<std::size_t>(n));
  }
  return got;
}

} // namespace

TEST_CASE("socket io: sendAll sends head then body in order, across partial writes") {
  SocketPair pair;
  int size = 4096;
  REQUIRE(setsockopt(pair.a, SOL_SOCKET, SO_SNDBUF, &size, sizeof size) == 0);
  std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 4194304\r\n\r\n";
  std::string body(4 << 20, '\0');
  for (std::size_t i = 0; i < body.size(); ++i)
    body[i] = static_cast<char>('a' + i % 26);
  std::string received;
  std::thread reader([&] { received = drain(pair.b); });
  CHECK(sendAll(pair.a, head, body, 30s) == 0);
  pair.closeA();
  reader.join();
  CHECK(received.size() == head.size() + body.size());
  CHECK(received == head + body);
}

TEST_CASE("socket io: sendAll reports a peer that stops reading, and one that is gone") {
  SocketPair pair;
  fill(pair.a);
  // Nothing drains: the send cannot finish before its deadline.
  CHECK(sendAll(pair.a, "more", "", 20ms) == ETIMEDOUT);
  pair.closeB();
  // No SIGPIPE (the test would die of it): the errno says the peer is gone.
  CHECK(sendAll(pair.a, "more", "", 1s) == EPIPE);
}

TEST_CASE("socket io: peerClosed tells a closed peer from a quiet or talkative one") {
  SocketPair pair;
  CHECK_FALSE(peerClosed(pair.a));
  REQUIRE(write(pair.b, "x", 1) == 1);
  CHECK_FALSE(peerClosed(pair.a)); // data waiting is not a close
  char byte;
  REQUIRE(read(pair.a, &byte, 1) == 1);
  SUBCASE("closed") {
    pair.closeB();
  }
  SUBCASE("half closed") {
    REQUIRE(shutdown(pair.b, SHUT_WR) == 0);
  }
  CHECK(peerClosed(pair.a));
}

TEST_CASE("socket io: waitReady is ready, times out, or is stopped") {
  SocketPair pair;
  StopFd stop;
  CHECK(waitReady(pair.a, POLLOUT, boundsIn(30s, stop.fd)).isOk());
  CHECK(waitReady(pair.a, POLLIN, boundsIn(1ms, stop.fd)).code() == ErrorCode::Timeout);
  // A deadline already past is a timeout without a wait.
  CHECK(waitReady(pair.a, POLLOUT, boundsIn(0ms, -1)).code() == ErrorCode::Timeout);
  REQUIRE(write(pair.b, "x", 1) == 1);
  CHECK(waitReady(pair.a, POLLIN, boundsIn(30s, -1)).isOk());
  char byte;
  REQUIRE(read(pair.a, &byte, 1) == 1);
  stop.fire();
  Status stopped = waitReady(pair.a, POLLIN, boundsIn(1h, stop.fd));
  CHECK(stopped.code() == ErrorCode::UnknownError);
  CHECK(stopped.message().find("stopped") != std::string::npos);
}

TEST_CASE("socket io: readExact gathers what arrives in pieces; an early end is an error") {
  SocketPair pair;
  std::thread writer([&] {
    for (const char* piece : {"he", "llo", " wor", "ld"}) {
      REQUIRE(write(pair.b, piece, std::strlen(piece)) > 0);
      pollfd wait{pair.b, POLLOUT, 0};
      poll(&wait, 1, 1000);
    }
  });
  char buffer[11];
  CHECK(readExact(pair.a, buffer, sizeof buffer, boundsIn(30s, -1)).isOk());
  writer.join();
  CHECK(std::string(buffer, sizeof buffer) == "hello world");

  REQUIRE(write(pair.b, "abc", 3) == 3);
  CHECK(readExact(pair.a, buffer, 5, boundsIn(1ms, -1)).code() == ErrorCode::Timeout);
  pair.closeB();
  // The three bytes were read by the timed-out call; what is left is the end of stream.
  Status early = readExact(pair.a, buffer, 2, boundsIn(30s, -1));
  CHECK(early.message().find("closed early") != std::string::npos);
}

TEST_CASE("socket io: writeAll to a peer that does not read can be stopped") {
  SocketPair pair;
  fill(pair.a);
  StopFd stop;
  stop.fire();
  Status stopped = writeAll(pair.a, std::string(65536, 'y'), boundsIn(1h, stop.fd));
  CHECK(stopped.message().find("stopped") != std::string::npos);
  pair.closeB();
  Status gone = writeAll(pair.a, "z", boundsIn(30s, -1));
  CHECK(gone.code() == ErrorCode::UnknownError);
  CHECK(gone.message().find("write") != std::string::npos);
}

TEST_CASE("socket io: readHttpHead splits the head from the bytes after it") {
  SocketPair pair;
  std::string head, rest;
  SUBCASE("in one piece, with a body after it") {
    std::string bytes = "GET /status HTTP/1.1\r\nHost: x\r\n\r\nBODY";
    REQUIRE(write(pair.b, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
    REQUIRE(readHttpHead(pair.a, 8192, boundsIn(30s, -1), &head, &rest).isOk());
    CHECK(head == "GET /status HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(rest == "BODY");
  }
  SUBCASE("the blank line split across writes") {
    std::thread writer([&] {
      for (const char* piece : {"GET / HTTP/1.1\r\n", "\r", "\n"}) {
        REQUIRE(write(pair.b, piece, std::strlen(piece)) > 0);
        pollfd wait{pair.b, POLLOUT, 0};
        poll(&wait, 1, 1000);
      }
    });
    Status status = readHttpHead(pair.a, 8192, boundsIn(30s, -1), &head, &rest);
    writer.join();
    REQUIRE(status.isOk());
    CHECK(head == "GET / HTTP/1.1\r\n\r\n");
    CHECK(rest.empty());
  }
  SUBCASE("too large") {
    std::string bytes = "GET / HTTP/1.1\r\nX: " + std::string(200, 'a');
    REQUIRE(write(pair.b, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
    CHECK(readHttpHead(pair.a, 64, boundsIn(30s, -1), &head, &rest).code() ==
          ErrorCode::InvalidArgument);
  }
  SUBCASE("the peer closes before the blank line") {
    REQUIRE(write(pair.b, "GET / HTTP/1.1\r\n", 16) == 16);
    pair.closeB();
    Status status = readHttpHead(pair.a, 8192, boundsIn(30s, -1), &head, &rest);
    CHECK(status.message().find("before the end of the HTTP head") != std::string::npos);
  }
  SUBCASE("nothing comes") {
    CHECK(readHttpHead(pair.a, 8192, boundsIn(1ms, -1), &head, &rest).code() == ErrorCode::Timeout);
  }
}
