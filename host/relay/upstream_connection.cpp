#include "relay/upstream_connection.h"

#include "http/socket_io.h"

#include <Poco/Exception.h>
#include <Poco/Net/SocketAddress.h>
#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <sys/time.h>

namespace wdh {
namespace {

constexpr std::size_t kInitialBuffer = 16 * 1024;
constexpr std::size_t kKeptBuffer = 256 * 1024;
constexpr std::size_t kReceiveRoom = 16 * 1024;

} // namespace

Status UpstreamConnection::open(const std::string& host, std::uint16_t port,
                                std::unique_ptr<UpstreamConnection>* out, bool* connecting) {
  try {
    Poco::Net::SocketAddress address(host, port);
    Poco::Net::StreamSocket socket(address.family());
    socket.setBlocking(false);
    socket.setNoDelay(true);
    int fd = socket.impl()->sockfd();
    *connecting = false;
    if (::connect(fd, address.addr(), address.length()) != 0) {
      if (errno != EINPROGRESS)
        return Status(ErrorCode::UnknownError, std::string("cannot connect: ") + strerror(errno));
      *connecting = true;
    }
    out->reset(new UpstreamConnection(std::move(socket)));
    return Status::ok();
  } catch (const Poco::Exception& e) {
    return Status(ErrorCode::UnknownError, e.displayText());
  }
}

Status UpstreamConnection::connected() const {
  int error = 0;
  socklen_t length = sizeof error;
  if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length) != 0)
    error = errno;
  if (error != 0)
    return Status(ErrorCode::UnknownError, std::string("cannot connect: ") + strerror(error));
  return Status::ok();
}

UpstreamConnection::UpstreamConnection(Poco::Net::StreamSocket socket)
    : socket_(std::move(socket)), fd_(socket_.impl()->sockfd()) {}

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

void UpstreamConnection::beginRequest() noexcept {
  reusable_ = false; // until a whole response has been read
  answered_ = false;
  size_ = 0;
}

Status UpstreamConnection::sendSome(std::string_view head, std::string_view body,
                                    std::size_t* offset, bool* done) {
  std::size_t at = *offset;
  std::string_view headLeft = at < head.size() ? head.substr(at) : std::string_view();
  std::string_view bodyLeft = body.substr(at > head.size() ? at - head.size() : 0);
  std::size_t sent = 0;
  int failed = sendWithoutWaiting(fd_, headLeft, bodyLeft, &sent);
  *offset += sent;
  *done = *offset == head.size() + body.size();
  if (failed != 0)
    return Status(ErrorCode::UnknownError, std::string("cannot send: ") + strerror(failed));
  return Status::ok();
}

ParseState UpstreamConnection::receive(bool headRequest, ParsedResponse* out, Status* error) {
  for (;;) {
    reserve(kReceiveRoom);
    ssize_t got = recv(fd_, buffer_.get() + size_, capacity_ - size_, MSG_DONTWAIT);
    if (got < 0) {
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        return ParseState::Incomplete;
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
    if (state != ParseState::Incomplete || size_ < capacity_)
      return state;
  }
}

} // namespace wdh
