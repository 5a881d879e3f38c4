#include "server/websocket_tunnel.h"

#include <algorithm>
#include <cerrno>
#include <memory>
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
  countInto(nullptr); // what it held is gone
}

void WebSocketTunnel::setTap(std::unique_ptr<WebSocketTap> tap) {
  tap_ = std::move(tap);
  if (tap_) {
    tap_->bytes(true, toUpstream_.bytes.data(), toUpstream_.bytes.size());
    tap_->bytes(false, toClient_.bytes.data(), toClient_.bytes.size());
  }
}

void WebSocketTunnel::countInto(WebSocketTraffic* traffic) noexcept {
  if (traffic_ != nullptr) {
    traffic_->bytesBuffered.fetch_sub(accountedBuffered_, std::memory_order_relaxed);
    traffic_->readsHeld.fetch_sub(accountedHeld_, std::memory_order_relaxed);
  }
  accountedBuffered_ = 0;
  accountedHeld_ = 0;
  traffic_ = traffic;
  account();
}

void WebSocketTunnel::account() noexcept {
  if (traffic_ == nullptr)
    return;
  auto buffered = static_cast<std::int64_t>(toClient_.pending() + toUpstream_.pending());
  std::int64_t held = (upstreamOpen_ && !closing_ && !toClient_.hasRoom() ? 1 : 0) +
                      (upstreamOpen_ && !clientDone_ && !toUpstream_.hasRoom() ? 1 : 0);
  traffic_->bytesBuffered.fetch_add(buffered - accountedBuffered_, std::memory_order_relaxed);
  traffic_->readsHeld.fetch_add(held - accountedHeld_, std::memory_order_relaxed);
  accountedBuffered_ = buffered;
  accountedHeld_ = held;
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

namespace {

// Where the loop thread reads to before bytes go on (or into a pipe, for what does not).
char* scratch() {
  thread_local std::unique_ptr<char[]> buffer(new char[kReadChunk]);
  return buffer.get();
}

// recv() without blocking, retried on EINTR.
ssize_t receiveSome(int fd, char* data, std::size_t size) {
  ssize_t got;
  do
    got = recv(fd, data, size, MSG_DONTWAIT);
  while (got < 0 && errno == EINTR);
  return got;
}

// send() without blocking or SIGPIPE, retried on EINTR.
ssize_t sendSome(int fd, const char* data, std::size_t size) {
  ssize_t sent;
  do
    sent = send(fd, data, size, MSG_DONTWAIT | MSG_NOSIGNAL);
  while (sent < 0 && errno == EINTR);
  return sent;
}

bool wouldBlock() {
  return errno == EAGAIN || errno == EWOULDBLOCK;
}

} // namespace

void WebSocketTunnel::transfer(int from, bool* fromDone, int to, bool* toBroken, Pipe& pipe,
                               FrameScanner* scanner) {
  char* buffer = scratch();
  for (int round = 0; round < kRounds && !*fromDone && pipe.hasRoom(); ++round) {
    std::size_t room = std::min(kReadChunk, kBufferLimit - pipe.pending());
    ssize_t got = receiveSome(from, buffer, room);
    if (got == 0 || (got < 0 && !wouldBlock())) {
      *fromDone = true;
      return;
    }
    if (got < 0)
      return;
    auto size = static_cast<std::size_t>(got);
    std::uint64_t framesBefore = scanner != nullptr ? scanner->frames() : 0;
    if (scanner != nullptr)
      scanner->feed(buffer, size);
    if (traffic_ != nullptr) {
      bool toClient = to == clientFd_;
      (toClient ? traffic_->bytesToClient : traffic_->bytesToBrowser)
          .fetch_add(size, std::memory_order_relaxed);
      if (scanner != nullptr)
        traffic_->framesToClient.fetch_add(scanner->frames() - framesBefore,
                                           std::memory_order_relaxed);
    }
    if (onActivity_)
      onActivity_();
    if (tap_)
      tap_->bytes(from == clientFd_, buffer, size);
    std::size_t sent = 0;
    if (pipe.pending() == 0 && !*toBroken) {
      // Nothing waits before these bytes: straight on, without buffering them.
      ssize_t wrote = sendSome(to, buffer, size);
      if (wrote > 0)
        sent = static_cast<std::size_t>(wrote);
      else if (wrote < 0 && !wouldBlock())
        *toBroken = true;
    }
    if (sent == size) {
      pipe.base += size; // the pipe is empty: its next byte is further on in the stream
    } else {
      if (pipe.pending() == 0) {
        pipe.base += pipe.bytes.size() + sent;
        pipe.bytes.clear();
        pipe.sent = 0;
      }
      pipe.bytes.append(buffer + sent, size - sent);
    }
    if (size < room)
      return; // drained for now
  }
}

bool WebSocketTunnel::writeFrom(int fd, Pipe& pipe, bool* broken) {
  if (pipe.pending() == 0)
    return false;
  ssize_t sent = sendSome(fd, pipe.bytes.data() + pipe.sent, pipe.pending());
  if (sent < 0) {
    if (!wouldBlock())
      *broken = true;
    return false;
  }
  pipe.sent += static_cast<std::size_t>(sent);
  compact(pipe);
  return sent > 0;
}

void WebSocketTunnel::discardClientInput() {
  // The client's answer to our close frame: read and dropped.
  char* buffer = scratch();
  for (int round = 0; round < kRounds && !clientDone_; ++round) {
    ssize_t got = receiveSome(clientFd_, buffer, kReadChunk);
    if (got == 0 || (got < 0 && !wouldBlock()))
      clientDone_ = true;
    if (got <= 0)
      return;
  }
}

void WebSocketTunnel::upstreamEnded() {
  closeUpstream();
  // The driver or browser went away: the client learns it from a close frame, unless the
  // upstream already sent one (a close handshake the client started).
  if (clientBound_.sawClose())
    close(1000, "", Clock::now() + std::chrono::seconds(1));
  else
    close(1011, "the browser's websocket endpoint closed", Clock::now() + std::chrono::seconds(1));
}

void WebSocketTunnel::pump(std::uint32_t clientEvents, std::uint32_t upstreamEvents) {
  constexpr std::uint32_t kReadable = EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP;
  constexpr std::uint32_t kWritable = EPOLLOUT | EPOLLHUP | EPOLLERR;
  bool upstreamDone = false;
  if (upstreamOpen_) {
    int upstream = upstream_.impl()->sockfd();
    if ((upstreamEvents & kWritable) != 0)
      writeFrom(upstream, toUpstream_, &upstreamDone);
    if ((upstreamEvents & kReadable) != 0 && !upstreamDone)
      transfer(upstream, &upstreamDone, clientFd_, &clientDone_, toClient_, &clientBound_);
    if ((clientEvents & kReadable) != 0 && !upstreamDone && !clientDone_)
      transfer(clientFd_, &clientDone_, upstream, &upstreamDone, toUpstream_, nullptr);
  } else if ((clientEvents & kReadable) != 0) {
    discardClientInput(); // the upstream is gone: what the client sends has nowhere to go
  }
  if ((clientEvents & kWritable) != 0 && !clientShut_ && !clientDone_)
    writeFrom(clientFd_, toClient_, &clientDone_);
  if (upstreamDone && upstreamOpen_)
    upstreamEnded();
  if (closing_ && !clientShut_ && !clientDone_) {
    writeFrom(clientFd_, toClient_, &clientDone_);
    if (toClient_.pending() == 0) {
      ::shutdown(clientFd_, SHUT_WR);
      clientShut_ = true;
    }
  }
  if (clientEvents != kAllEvents && (clientEvents & (EPOLLHUP | EPOLLERR)) != 0)
    clientDone_ = true;
  account();
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
  account();
}

std::uint32_t WebSocketTunnel::clientInterest() const noexcept {
  if (clientDone_)
    return 0;
  std::uint32_t events = 0;
  if (!upstreamOpen_ || toUpstream_.hasRoom())
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
