#include "marionette_connection.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wdhost/plugin.hpp>

namespace wdhost::firefox {
namespace {

using Clock = std::chrono::steady_clock;

// Milliseconds left until `deadline`, at least 0, for poll().
int remainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0)
    return 0;
  return left.count() > 1000000000 ? 1000000000 : static_cast<int>(left.count());
}

// A non-blocking socket connected to 127.0.0.1:port within the deadline, or -1.
int connectLoopback(uint16_t port, Clock::time_point deadline) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0)
    return fd;
  if (errno == EINPROGRESS) {
    pollfd waiter{fd, POLLOUT, 0};
    int error = 0;
    socklen_t length = sizeof error;
    if (::poll(&waiter, 1, remainingMs(deadline)) == 1 &&
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0)
      return fd;
  }
  ::close(fd);
  return -1;
}

} // namespace

MarionetteConnection::MarionetteConnection(uint16_t port, uint32_t timeoutMs) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
  fd_ = connectLoopback(port, deadline);
  if (fd_ < 0)
    throw wdhost::Error("session not created",
                        "cannot connect to Marionette on 127.0.0.1:" + std::to_string(port));
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  std::string hello;
  try {
    hello = readFrame(static_cast<uint32_t>(remainingMs(deadline)));
  } catch (const wdhost::Error& e) {
    close();
    throw wdhost::Error("session not created", std::string("no Marionette hello: ") + e.what());
  }
  if (!isHello(hello)) {
    close();
    throw wdhost::Error("session not created",
                        "127.0.0.1:" + std::to_string(port) +
                            " does not speak Marionette protocol 3: " + hello.substr(0, 200));
  }
}

MarionetteConnection::~MarionetteConnection() {
  close();
}

void MarionetteConnection::close() noexcept {
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = -1;
}

void MarionetteConnection::writeAll(const std::string& bytes, uint32_t timeoutMs) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd waiter{fd_, POLLOUT, 0};
      if (::poll(&waiter, 1, remainingMs(deadline)) > 0)
        continue;
      throw wdhost::Error("timeout", "Firefox did not read a command within " +
                                         std::to_string(timeoutMs) + " ms");
    }
    std::string why = std::strerror(errno);
    close();
    throw wdhost::Error("unknown error", "the connection to Firefox broke: " + why);
  }
}

std::string MarionetteConnection::readFrame(uint32_t timeoutMs, const wdhost::Deadline& call) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
  char chunk[65536];
  while (true) {
    if (std::optional<std::string> frame = decoder_.next())
      return *frame;
    if (call.cancelled())
      throw wdhost::Error("timeout", "the host cancelled the call (" + call.why() + ")");
    pollfd waiter{fd_, POLLIN, 0};
    // In slices while the host may cancel the call.
    int wait = remainingMs(deadline);
    if (call.context() != nullptr && wait > 250)
      wait = 250;
    int ready = ::poll(&waiter, 1, wait);
    if (ready < 0 && errno == EINTR)
      continue;
    if (ready == 0 && Clock::now() < deadline)
      continue;
    if (ready == 0)
      throw wdhost::Error("timeout",
                          "Firefox did not answer within " + std::to_string(timeoutMs) + " ms");
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n > 0) {
      decoder_.feed(std::string_view(chunk, static_cast<std::size_t>(n)));
      continue;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
      continue;
    close();
    throw wdhost::Error("unknown error", "Firefox closed the Marionette connection (it exited?)");
  }
}

std::string MarionetteConnection::call(std::string_view name, std::string_view params,
                                       uint32_t timeoutMs, const wdhost::Deadline& callDeadline) {
  if (fd_ < 0)
    throw wdhost::Error("unknown error", "the connection to Firefox is closed (it exited?)");
  if (callDeadline.expired())
    throw wdhost::Error("timeout", std::string(name) + " was not sent: " + callDeadline.why());
  timeoutMs = callDeadline.clamp(timeoutMs);
  auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
  uint64_t id = nextId_++;
  writeAll(encodeFrame(commandMessage(id, name, params)), timeoutMs);
  while (true) {
    // Replies to earlier commands that timed out arrive late; they are skipped by id.
    std::string frame;
    try {
      frame = readFrame(static_cast<uint32_t>(remainingMs(deadline)), callDeadline);
    } catch (const wdhost::Error& e) {
      if (e.code() != "timeout")
        throw;
      if (callDeadline.expired())
        throw wdhost::Error("timeout", std::string(name) + " got no answer from Firefox before " +
                                           callDeadline.why());
      throw wdhost::Error("timeout", std::string(name) + " got no answer from Firefox within " +
                                         std::to_string(timeoutMs) + " ms");
    }
    Reply reply = parseReply(frame);
    if (reply.id != id)
      continue;
    if (reply.failed)
      throw wdhost::Error(reply.error, reply.message, reply.data);
    return reply.result;
  }
}

} // namespace wdhost::firefox
