#include "relay/upstream_connection.h"

#include "http/socket_io.h"

#include <Poco/Exception.h>
#include <Poco/Net/SocketAddress.h>
#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>

namespace wdh {
namespace {

constexpr std::size_t kInitialBuffer = 16 * 1024;
constexpr std::size_t kKeptBuffer = 256 * 1024;
constexpr std::size_t kReceiveRoom = 16 * 1024;

Poco::Timespan toTimespan(std::chrono::milliseconds timeout) {
  return Poco::Timespan(static_cast<long>(timeout.count() / 1000),
                        static_cast<long>((timeout.count() % 1000) * 1000));
}

} // namespace

Status UpstreamConnection::open(const std::string& host, std::uint16_t port,
                                std::chrono::milliseconds timeout,
                                std::unique_ptr<UpstreamConnection>* out) {
  try {
    Poco::Net::StreamSocket socket;
    socket.connect(Poco::Net::SocketAddress(host, port), toTimespan(timeout));
    socket.setNoDelay(true);
    out->reset(new UpstreamConnection(std::move(socket)));
    return Status::ok();
  } catch (const Poco::Exception& e) {
    return Status(ErrorCode::UnknownError, e.displayText());
  }
}

UpstreamConnection::UpstreamConnection(Poco::Net::StreamSocket socket)
    : socket_(std::move(socket)), fd_(socket_.impl()->sockfd()) {}

bool UpstreamConnection::setTimeout(std::chrono::milliseconds timeout) {
  if (timeout.count() == timeoutMs_)
    return true;
  timeval limit{static_cast<time_t>(timeout.count() / 1000),
                static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  if (limit.tv_sec == 0 && limit.tv_usec == 0)
    limit.tv_usec = 1000; // zero would mean "wait forever"
  if (setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit) != 0 ||
      setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit) != 0)
    return false;
  timeoutMs_ = timeout.count();
  return true;
}

void UpstreamConnection::reserve(std::size_t room) {
  if (capacity_ - size_ >= room)
    return;
  std::size_t capacity = std::max({kInitialBuffer, capacity_ * 2, size_ + room});
  std::unique_ptr<char[]> bigger(new char[capacity]);
  if (size_ > 0)
    std::memcpy(bigger.get(), buffer_.get(), size_);
  buffer_ = std::move(bigger);
  capacity_ = capacity;
}

Status UpstreamConnection::send(std::string_view head, std::string_view body,
                                std::chrono::milliseconds timeout, bool* timedOut) {
  *timedOut = false;
  reusable_ = false; // until a whole response has been read
  answered_ = false;
  size_ = 0;
  if (!setTimeout(timeout))
    return Status(ErrorCode::UnknownError, std::string("cannot set a timeout: ") + strerror(errno));
  int failed = sendAll(fd_, head, body, timeout);
  if (failed != 0) {
    *timedOut = failed == ETIMEDOUT || failed == EAGAIN || failed == EWOULDBLOCK;
    return Status(ErrorCode::UnknownError, std::string("cannot send: ") + strerror(failed));
  }
  return Status::ok();
}

ParseState UpstreamConnection::receive(bool wait, bool headRequest, ParsedResponse* out,
                                       Status* error, bool* timedOut) {
  *timedOut = false;
  for (;;) {
    reserve(kReceiveRoom);
    ssize_t got = recv(fd_, buffer_.get() + size_, capacity_ - size_, wait ? 0 : MSG_DONTWAIT);
    if (got < 0) {
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (!wait)
          return ParseState::Incomplete;
        *timedOut = true;
        *error = Status(ErrorCode::UnknownError, "no answer in time");
        return ParseState::Invalid;
      }
      *error = Status(ErrorCode::UnknownError, std::string("cannot receive: ") + strerror(errno));
      return ParseState::Invalid;
    }
    size_ += static_cast<std::size_t>(got);
    ParseState state =
        parseResponse(std::string_view(buffer_.get(), size_), got == 0, headRequest, out, error);
    if (state == ParseState::Complete) {
      reusable_ = out->keepAlive && out->consumed == size_;
      answered_ = true;
      if (capacity_ > kKeptBuffer) {
        buffer_.reset();
        capacity_ = 0;
      }
      size_ = 0;
    }
    // A full buffer may mean more is waiting; otherwise the socket is drained for now.
    if (state != ParseState::Incomplete || wait || size_ < capacity_)
      return state;
  }
}

} // namespace wdh
