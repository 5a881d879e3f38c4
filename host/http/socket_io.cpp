#include "http/socket_io.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

namespace wdh {
namespace {

using Clock = std::chrono::steady_clock;

// Polls `fd` for `events` until `deadline` or until `stopFd` is readable (poll ignores a
// negative descriptor). 0 when ready; otherwise ETIMEDOUT, ECANCELED (stopped) or the errno.
int await(int fd, short events, Clock::time_point deadline, int stopFd) {
  for (;;) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0)
      return ETIMEDOUT;
    pollfd fds[2] = {{fd, events, 0}, {stopFd, POLLIN, 0}};
    int ready = poll(fds, 2, static_cast<int>(std::min<decltype(left)>(left, INT_MAX)));
    if (ready < 0 && errno != EINTR)
      return errno;
    if (ready > 0)
      return fds[1].revents != 0 ? ECANCELED : 0;
  }
}

int sendParts(int fd, std::string_view head, std::string_view body, Clock::time_point deadline,
              int stopFd) {
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
      if (int failed = await(fd, POLLOUT, deadline, stopFd))
        return failed;
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

Status ioStatus(int err, std::string_view what) {
  if (err == 0)
    return Status::ok();
  if (err == ETIMEDOUT)
    return Status(ErrorCode::Timeout, "timed out");
  if (err == ECANCELED)
    return Status(ErrorCode::UnknownError, "stopped");
  return Status(ErrorCode::UnknownError, std::string(what) + ": " + std::strerror(err));
}

// Reads what is available (at most `cap`); `*got` is 0 at end of stream.
Status readSome(int fd, char* buf, std::size_t cap, const IoBounds& bounds, std::size_t* got) {
  for (;;) {
    ssize_t n = recv(fd, buf, cap, 0);
    if (n >= 0) {
      *got = static_cast<std::size_t>(n);
      return Status::ok();
    }
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      return ioStatus(errno, "read");
    if (int failed = await(fd, POLLIN, bounds.deadline, bounds.stopFd))
      return ioStatus(failed, "poll");
  }
}

} // namespace

int sendAll(int fd, std::string_view head, std::string_view body,
            std::chrono::milliseconds timeout) {
  return sendParts(fd, head, body, Clock::now() + timeout, -1);
}

int sendWithoutWaiting(int fd, std::string_view head, std::string_view body, std::size_t* sent) {
  *sent = 0;
  const std::size_t total = head.size() + body.size();
  while (*sent < total) {
    iovec parts[2];
    int count = 0;
    if (*sent < head.size())
      parts[count++] = {const_cast<char*>(head.data() + *sent), head.size() - *sent};
    std::size_t bodyAt = *sent > head.size() ? *sent - head.size() : 0;
    if (bodyAt < body.size())
      parts[count++] = {const_cast<char*>(body.data() + bodyAt), body.size() - bodyAt};
    msghdr message{};
    message.msg_iov = parts;
    message.msg_iovlen = static_cast<std::size_t>(count);
    ssize_t n = sendmsg(fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        return 0;
      return errno;
    }
    *sent += static_cast<std::size_t>(n);
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

IoBounds boundsIn(std::chrono::milliseconds timeout, int stopFd) {
  return IoBounds{Clock::now() + timeout, stopFd};
}

Status waitReady(int fd, short events, const IoBounds& bounds) {
  return ioStatus(await(fd, events, bounds.deadline, bounds.stopFd), "poll");
}

Status readExact(int fd, char* buf, std::size_t n, const IoBounds& bounds) {
  for (std::size_t done = 0, got = 0; done < n; done += got) {
    Status s = readSome(fd, buf + done, n - done, bounds, &got);
    if (!s.isOk())
      return s;
    if (got == 0)
      return Status(ErrorCode::UnknownError, "connection closed early");
  }
  return Status::ok();
}

Status writeAll(int fd, std::string_view data, const IoBounds& bounds) {
  return ioStatus(sendParts(fd, data, {}, bounds.deadline, bounds.stopFd), "write");
}

Status readHttpHead(int fd, std::size_t maxBytes, const IoBounds& bounds, std::string* head,
                    std::string* rest) {
  std::string data;
  char buf[4096];
  for (;;) {
    std::size_t end = data.find("\r\n\r\n");
    if (end != std::string::npos) {
      *head = data.substr(0, end + 4);
      *rest = data.substr(end + 4);
      return Status::ok();
    }
    if (data.size() > maxBytes)
      return Status(ErrorCode::InvalidArgument, "HTTP head too large");
    std::size_t got = 0;
    Status s = readSome(fd, buf, sizeof buf, bounds, &got);
    if (!s.isOk())
      return s;
    if (got == 0)
      return Status(ErrorCode::UnknownError, "connection closed before the end of the HTTP head");
    data.append(buf, got);
  }
}

} // namespace wdh
