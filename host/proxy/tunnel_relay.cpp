// A poll loop over two sockets, each direction through one bounded buffer.
#include "proxy/tunnel_relay.h"

#include <algorithm>
#include <cerrno>
#include <poll.h>
#include <sys/socket.h>

namespace wdh::proxy {
namespace {

constexpr size_t kBufferLimit = 64 * 1024;

// One direction: bytes read from `from`, not yet written to `to`.
struct Direction {
  int from;
  int to;
  std::string pending;
  size_t offset = 0;
  bool eof = false;  // `from` ended
  bool done = false; // ended and everything delivered (and `to` half-closed)
  bool failed = false;

  size_t buffered() const { return pending.size() - offset; }

  // Reads once; false when nothing could be read.
  bool pull(uint64_t* moved) {
    char buf[16 * 1024];
    size_t room = kBufferLimit - buffered();
    ssize_t n = ::recv(from, buf, room < sizeof buf ? room : sizeof buf, 0);
    if (n > 0) {
      if (offset > 0 && offset == pending.size()) {
        pending.clear();
        offset = 0;
      }
      pending.append(buf, static_cast<size_t>(n));
      *moved += static_cast<uint64_t>(n);
      return true;
    }
    if (n == 0) {
      eof = true;
      return true;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
      failed = true;
    return false;
  }

  // Writes what it can; false when nothing could be written.
  bool push() {
    if (buffered() == 0)
      return false;
    ssize_t n = ::send(to, pending.data() + offset, buffered(), MSG_NOSIGNAL);
    if (n > 0) {
      offset += static_cast<size_t>(n);
      if (offset == pending.size()) {
        pending.clear();
        offset = 0;
      }
      return true;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
      failed = true;
    return false;
  }

  void settle() {
    if (eof && buffered() == 0 && !done) {
      ::shutdown(to, SHUT_WR);
      done = true;
    }
  }
};

} // namespace

uint64_t relayTunnel(int client, int server, std::string toServer, std::string toClient,
                     std::chrono::milliseconds idle, int stopFd) {
  Direction up{client, server, std::move(toServer)};
  Direction down{server, client, std::move(toClient)};
  uint64_t moved = 0;
  auto lastActivity = std::chrono::steady_clock::now();
  for (;;) {
    up.settle();
    down.settle();
    if (up.failed || down.failed || down.done || (up.done && down.done))
      break;
    pollfd fds[3] = {{client, 0, 0}, {server, 0, 0}, {stopFd, POLLIN, 0}};
    if (!up.eof && up.buffered() < kBufferLimit)
      fds[0].events |= POLLIN;
    if (!down.eof && down.buffered() < kBufferLimit)
      fds[1].events |= POLLIN;
    if (up.buffered() > 0)
      fds[1].events |= POLLOUT;
    if (down.buffered() > 0)
      fds[0].events |= POLLOUT;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(lastActivity + idle -
                                                             std::chrono::steady_clock::now());
    int n = ::poll(fds, 3, static_cast<int>(std::max<int64_t>(0, left.count())));
    if ((n < 0 && errno != EINTR) || fds[2].revents != 0)
      break;
    bool progress = false;
    if (n > 0) {
      if (fds[0].revents & (POLLIN | POLLHUP | POLLERR))
        progress |= !up.eof && up.buffered() < kBufferLimit && up.pull(&moved);
      if (fds[1].revents & (POLLIN | POLLHUP | POLLERR))
        progress |= !down.eof && down.buffered() < kBufferLimit && down.pull(&moved);
      if (fds[1].revents & (POLLOUT | POLLERR))
        progress |= up.push();
      if (fds[0].revents & (POLLOUT | POLLERR))
        progress |= down.push();
      // Bytes just read can often be written at once.
      progress |= up.push();
      progress |= down.push();
    }
    constexpr short kHangup = POLLHUP | POLLERR | POLLNVAL;
    if (n > 0 && !progress && ((fds[0].revents & kHangup) || (fds[1].revents & kHangup)))
      break; // a side is gone and nothing more can move
    auto now = std::chrono::steady_clock::now();
    if (progress)
      lastActivity = now;
    else if (now - lastActivity >= idle)
      break;
  }
  return moved;
}

} // namespace wdh::proxy
