#include "http/socket_io.h"

#include <cerrno>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

namespace wdh {

int sendAll(int fd, std::string_view head, std::string_view body,
            std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  iovec parts[2] = {{const_cast<char*>(head.data()), head.size()},
                    {const_cast<char*>(body.data()), body.size()}};
  int first = 0;
  while (first < 2) {
    msghdr message{};
    message.msg_iov = parts + first;
    message.msg_iovlen = static_cast<std::size_t>(2 - first);
    ssize_t sent = sendmsg(fd, &message, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR)
        continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        return errno;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        return ETIMEDOUT;
      pollfd writable{fd, POLLOUT, 0};
      int ready = poll(&writable, 1, static_cast<int>(left.count()));
      if (ready == 0)
        return ETIMEDOUT;
      if (ready < 0 && errno != EINTR)
        return errno;
      continue;
    }
    auto done = static_cast<std::size_t>(sent);
    while (first < 2 && done >= parts[first].iov_len) {
      done -= parts[first].iov_len;
      ++first;
    }
    if (first < 2) {
      parts[first].iov_base = static_cast<char*>(parts[first].iov_base) + done;
      parts[first].iov_len -= done;
    }
  }
  return 0;
}

bool peerClosed(int fd) {
  pollfd readable{fd, POLLIN | POLLRDHUP, 0};
  if (poll(&readable, 1, 0) <= 0)
    return false;
  if (readable.revents & (POLLHUP | POLLRDHUP | POLLERR | POLLNVAL))
    return true;
  char byte;
  return recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

} // namespace wdh
