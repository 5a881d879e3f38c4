// Deadline- and stop-bounded reads, writes and connects on non-blocking sockets.
#include "proxy/socket_io.h"

#include <Poco/Exception.h>
#include <Poco/Net/SocketAddress.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>

namespace wdh::proxy {
namespace {

constexpr auto kSlice = std::chrono::milliseconds(100);

Status ioError(std::string_view what, int err) {
  return Status(ErrorCode::UnknownError, std::string(what) + ": " + std::strerror(err));
}

} // namespace

IoBounds boundsIn(std::chrono::milliseconds timeout, const std::atomic<bool>* stop) {
  return IoBounds{Clock::now() + timeout, stop};
}

int fdOf(const Poco::Net::Socket& socket) {
  return socket.impl()->sockfd();
}

Status waitReady(int fd, short events, const IoBounds& bounds) {
  for (;;) {
    if (bounds.stop != nullptr && bounds.stop->load())
      return Status(ErrorCode::UnknownError, "the proxy is stopping");
    auto now = Clock::now();
    if (now >= bounds.deadline)
      return Status(ErrorCode::Timeout, "timed out");
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(bounds.deadline - now);
    auto wait = std::min<std::chrono::milliseconds>(left, kSlice);
    pollfd pfd{fd, events, 0};
    int n = ::poll(&pfd, 1, static_cast<int>(wait.count()) + 1);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return ioError("poll", errno);
    if (n > 0)
      return Status::ok();
  }
}

Status readSome(int fd, char* buf, size_t cap, const IoBounds& bounds, size_t* got) {
  *got = 0;
  for (;;) {
    ssize_t n = ::recv(fd, buf, cap, 0);
    if (n >= 0) {
      *got = static_cast<size_t>(n);
      return Status::ok();
    }
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      return ioError("read", errno);
    Status ready = waitReady(fd, POLLIN, bounds);
    if (!ready.isOk())
      return ready;
  }
}

Status readExact(int fd, char* buf, size_t n, const IoBounds& bounds) {
  size_t done = 0;
  while (done < n) {
    size_t got = 0;
    Status s = readSome(fd, buf + done, n - done, bounds, &got);
    if (!s.isOk())
      return s;
    if (got == 0)
      return Status(ErrorCode::UnknownError, "connection closed early");
    done += got;
  }
  return Status::ok();
}

Status writeAll(int fd, std::string_view data, const IoBounds& bounds) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n >= 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      return ioError("write", errno);
    Status ready = waitReady(fd, POLLOUT, bounds);
    if (!ready.isOk())
      return ready;
  }
  return Status::ok();
}

Status readHttpHead(int fd, size_t maxBytes, const IoBounds& bounds, std::string* head,
                    std::string* rest) {
  std::string data;
  char buf[4096];
  for (;;) {
    size_t end = data.find("\r\n\r\n");
    if (end != std::string::npos) {
      *head = data.substr(0, end + 4);
      *rest = data.substr(end + 4);
      return Status::ok();
    }
    if (data.size() > maxBytes)
      return Status(ErrorCode::InvalidArgument, "HTTP head too large");
    size_t got = 0;
    Status s = readSome(fd, buf, sizeof buf, bounds, &got);
    if (!s.isOk())
      return s;
    if (got == 0)
      return Status(ErrorCode::UnknownError, "connection closed before the end of the HTTP head");
    data.append(buf, got);
  }
}

Status dialTcp(const std::string& host, uint16_t port, const IoBounds& bounds,
               Poco::Net::StreamSocket* out) {
  try {
    Poco::Net::SocketAddress address(host, port);
    Poco::Net::StreamSocket socket(address.family());
    socket.connectNB(address);
    int fd = fdOf(socket);
    Status ready = waitReady(fd, POLLOUT, bounds);
    if (!ready.isOk())
      return ready.withContext("connect to " + host + ":" + std::to_string(port));
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
      err = errno;
    if (err != 0)
      return ioError("connect to " + host + ":" + std::to_string(port), err);
    socket.setNoDelay(true);
    *out = socket;
    return Status::ok();
  } catch (const Poco::Exception& e) {
    return Status(ErrorCode::UnknownError,
                  "connect to " + host + ":" + std::to_string(port) + ": " + e.displayText());
  } catch (const std::exception& e) {
    return Status(ErrorCode::UnknownError,
                  "connect to " + host + ":" + std::to_string(port) + ": " + e.what());
  }
}

} // namespace wdh::proxy
