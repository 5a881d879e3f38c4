#include "server/websocket_tunnel.h"

#include <algorithm>
#include <cerrno>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace wdh {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
constexpr int kRounds = 8; // bounded work per pump, so one busy tunnel cannot starve the rest

// Drops the sent part of `bytes` once it is most of the buffer.
template <class Pipe>
void compact(Pipe& pipe) {
  if (pipe.sent == pipe.bytes.size()) {
    pipe.base += pipe.sent;
    pipe.bytes.clear();
    pipe.sent = 0;
    if (pipe.bytes.capacity() > 2 * kReadChunk)
      std::string().swap(pipe.bytes);
  } else if (pipe.sent > kReadChunk && pipe.sent * 2 > pipe.bytes.size()) {
    pipe.base += pipe.sent;
    pipe.bytes.erase(0, pipe.sent);
    pipe.sent = 0;
  }
}

} // namespace

WebSocketTunnel::WebSocketTunnel(std::string sessionId, int clientFd,
                                 Poco::Net::StreamSocket upstream, std::string fromClient,
                                 std::string fromUpstream, std::function<void()> onActivity)
    : sessionId_(std::move(sessionId)), clientFd_(clientFd), upstream_(std::move(upstream)),
      onActivity_(std::move(onActivity)) {
  upstream_.setBlocking(false);
  toUpstream_.bytes = std::move(fromClient);
  clientBound_.feed(fromUpstream.data(), fromUpstream.size());
  toClient_.bytes = std::move(fromUpstream);
}

WebSocketTunnel::~WebSocketTunnel() {
  if (clientFd_ >= 0)
    ::close(clientFd_);
  closeUpstream();
}

void WebSocketTunnel::closeUpstream() noexcept {
  if (!upstreamOpen_)
    return;
  upstreamOpen_ = false;
  try {
    upstream_.close();
  } catch (...) {
  }
}

bool WebSocketTunnel::readInto(int fd, Pipe& pipe, bool* done, FrameScanner* scanner) {
  std::size_t room = std::min(kReadChunk, kBufferLimit - std::min(kBufferLimit, pipe.pending()));
  if (room == 0)
    return false;
  std::size_t at = pipe.bytes.size();
  pipe.bytes.resize(at + room);
  ssize_t got;
  do
    got = recv(fd, pipe.bytes.data() + at, room, MSG_DONTWAIT);
  while (got < 0 && errno == EINTR);
  pipe.bytes.resize(at + static_cast<std::size_t>(std::max<ssize_t>(got, 0)));
  if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
    *done = true;
    return false;
  }
  if (got < 0)
    return false;
  if (scanner != nullptr)
    scanner->feed(pipe.bytes.data() + at, static_cast<std::size_t>(got));
  if (onActivity_)
    onActivity_();
  return true;
}

bool WebSocketTunnel::writeFrom(int fd, Pipe& pipe, bool* broken) {
  if (pipe.pending() == 0)
    return false;
  ssize_t sent;
  do
    sent = send(fd, pipe.bytes.data() + pipe.sent, pipe.pending(), MSG_DONTWAIT | MSG_NOSIGNAL);
  while (sent < 0 && errno == EINTR);
  if (sent < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      *broken = true;
    return false;
  }
  pipe.sent += static_cast<std::size_t>(sent);
  compact(pipe);
  return sent > 0;
}

void WebSocketTunnel::pump(bool clientHangup, bool upstreamHangup) {
  if (clientHangup)
    clientDone_ = true;
  bool upstreamDone = upstreamHangup;
  for (int round = 0; round < kRounds && !clientDone_; ++round) {
    bool moved = false;
    if (upstreamOpen_ && !upstreamDone && !closing_ && toClient_.hasRoom())
      moved |= readInto(upstream_.impl()->sockfd(), toClient_, &upstreamDone, &clientBound_);
    if (!clientShut_)
      moved |= writeFrom(clientFd_, toClient_, &clientDone_);
    if (clientShut_) {
      Pipe discard; // the client's answer to our close frame: read and dropped
      moved |= readInto(clientFd_, discard, &clientDone_, nullptr);
    } else if (toUpstream_.hasRoom()) {
      moved |= readInto(clientFd_, toUpstream_, &clientDone_, nullptr);
    }
    if (upstreamOpen_ && !upstreamDone)
      moved |= writeFrom(upstream_.impl()->sockfd(), toUpstream_, &upstreamDone);
    if (upstreamDone && upstreamOpen_) {
      closeUpstream();
      // The driver or browser went away: the client learns it from a close frame, unless the
      // upstream already sent one (a close handshake the client started).
      if (clientBound_.sawClose())
        close(1000, "", Clock::now() + std::chrono::seconds(1));
      else
        close(1011, "the browser's websocket endpoint closed",
              Clock::now() + std::chrono::seconds(1));
      moved = true;
    }
    if (closing_ && !clientShut_ && toClient_.pending() == 0) {
      ::shutdown(clientFd_, SHUT_WR);
      clientShut_ = true;
    }
    if (!moved)
      break;
  }
}

void WebSocketTunnel::close(std::uint16_t code, std::string_view reason,
                            Clock::time_point deadline) {
  if (closing_)
    return;
  closing_ = true;
  deadline_ = deadline;
  closeUpstream();
  bool framed = clientBound_.atBoundary();
  if (!framed && clientBound_.frameStart() >= toClient_.base + toClient_.sent) {
    // A partial frame nobody has begun to send: drop it, so the close frame starts cleanly.
    toClient_.bytes.resize(static_cast<std::size_t>(clientBound_.frameStart() - toClient_.base));
    framed = true;
  }
  if (framed && !clientBound_.sawClose())
    toClient_.bytes += closeFrame(code, reason);
}

std::uint32_t WebSocketTunnel::clientInterest() const noexcept {
  if (clientDone_)
    return 0;
  std::uint32_t events = 0;
  if (clientShut_ || toUpstream_.hasRoom())
    events |= EPOLLIN;
  if (!clientShut_ && toClient_.pending() > 0)
    events |= EPOLLOUT;
  return events;
}

std::uint32_t WebSocketTunnel::upstreamInterest() const noexcept {
  if (!upstreamOpen_)
    return 0;
  std::uint32_t events = 0;
  if (!closing_ && toClient_.hasRoom())
    events |= EPOLLIN;
  if (toUpstream_.pending() > 0)
    events |= EPOLLOUT;
  return events;
}

bool WebSocketTunnel::finished(Clock::time_point now) const noexcept {
  return clientDone_ || (closing_ && now >= deadline_);
}

} // namespace wdh
