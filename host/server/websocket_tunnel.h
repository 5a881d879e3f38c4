// One relayed websocket: the client's connection and the upstream's (a driver's BiDi endpoint
// or a browser's DevTools), with a bounded buffer each way. Frames pass through as bytes; only
// their boundaries are followed towards the client, so that the host can end the connection
// with a close frame of its own.
#pragma once

#include "http/websocket.h"

#include <Poco/Net/StreamSocket.h>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace wdh {

// Not thread-safe: owned and driven by one TunnelLoop thread.
// Traffic through every tunnel, for /metrics; updated by the tunnel loop's thread.
struct WebSocketTraffic {
  std::atomic<std::uint64_t> framesToClient{0}; // frames relayed to clients
  std::atomic<std::uint64_t> bytesToClient{0};  // bytes relayed to clients
  std::atomic<std::uint64_t> bytesToBrowser{0}; // bytes relayed to browsers and drivers
  std::atomic<std::int64_t> bytesBuffered{0};   // bytes held in tunnel buffers now, both ways
  std::atomic<std::int64_t> readsHeld{0};       // directions not read now: their buffer is full
};

class WebSocketTunnel {
public:
  using Clock = std::chrono::steady_clock;

  // Bytes buffered each way before the host stops reading from the sender (backpressure).
  static constexpr std::size_t kBufferLimit = 1024 * 1024;
  // "Every event": what pump() tries when not told which events happened.
  static constexpr std::uint32_t kAllEvents = ~0u;

  // Takes ownership of `clientFd` (the client's socket, after the 101 was sent to it) and of
  // `upstream` (handshake done). `fromClient` / `fromUpstream` are bytes each side sent that
  // were read with the handshake. `onActivity` runs whenever bytes arrive from either side.
  WebSocketTunnel(std::string sessionId, int clientFd, Poco::Net::StreamSocket upstream,
                  std::string fromClient, std::string fromUpstream,
                  std::function<void()> onActivity);
  ~WebSocketTunnel();
  WebSocketTunnel(const WebSocketTunnel&) = delete;
  WebSocketTunnel& operator=(const WebSocketTunnel&) = delete;

  // Shows `tap` every byte from now on, each side's in order (what arrived with the handshake
  // first); null: none.
  void setTap(std::unique_ptr<WebSocketTap> tap);

  // Adds this tunnel's traffic to `traffic` from now on (may be null; it must outlive the tunnel).
  void countInto(WebSocketTraffic* traffic) noexcept;

  // The session it belongs to.
  const std::string& sessionId() const noexcept { return sessionId_; }
  // The client's socket; -1 once closed.
  int clientFd() const noexcept { return clientFd_; }
  // The upstream's socket; -1 once closed.
  int upstreamFd() const noexcept { return upstreamOpen_ ? upstream_.impl()->sockfd() : -1; }

  // Moves what the epoll events seen on each socket allow, without blocking (all events when
  // none are given: try everything). A client's bytes go straight on to the upstream when
  // nothing waits before them, and the other way round: only what a socket would not take
  // yet is buffered.
  void pump(std::uint32_t clientEvents = kAllEvents, std::uint32_t upstreamEvents = kAllEvents);
  // Ends the connection: nothing more is read from upstream, a close frame with `code` and
  // `reason` follows what the client was already sent, then the client gets until `deadline`
  // to answer it before its socket is closed. Later calls do nothing; pump() sends it.
  void close(std::uint16_t code, std::string_view reason, Clock::time_point deadline);

  // The epoll events the tunnel waits for on each socket now (0: none).
  std::uint32_t clientInterest() const noexcept;
  std::uint32_t upstreamInterest() const noexcept;
  // True when the tunnel is done and may be destroyed.
  bool finished(Clock::time_point now) const noexcept;
  // True while it is ending (a close frame queued or sent).
  bool closing() const noexcept { return closing_; }

private:
  // Bytes one way: what is buffered, and how much of it was sent.
  struct Pipe {
    std::string bytes;
    std::size_t sent = 0;
    std::uint64_t base = 0; // stream offset of bytes[0]
    std::size_t pending() const noexcept { return bytes.size() - sent; }
    bool hasRoom() const noexcept { return pending() < kBufferLimit; }
  };

  void transfer(int from, bool* fromDone, int to, bool* toBroken, Pipe& pipe,
                FrameScanner* scanner);
  bool writeFrom(int fd, Pipe& pipe, bool* broken);
  void discardClientInput();
  void upstreamEnded();
  void closeUpstream() noexcept;
  void account() noexcept;

  std::string sessionId_;
  int clientFd_;
  Poco::Net::StreamSocket upstream_;
  bool upstreamOpen_ = true;
  std::unique_ptr<WebSocketTap> tap_; // sees the bytes as they pass, or null
  std::function<void()> onActivity_;
  Pipe toClient_;
  Pipe toUpstream_;
  FrameScanner clientBound_; // frames going to the client
  WebSocketTraffic* traffic_ = nullptr;
  std::int64_t accountedBuffered_ = 0; // what this tunnel added to traffic_->bytesBuffered
  std::int64_t accountedHeld_ = 0;     // and to traffic_->readsHeld
  bool clientDone_ = false;            // the client closed, or its socket failed
  bool clientShut_ = false; // everything, close frame included, was sent; write side shut
  bool closing_ = false;
  Clock::time_point deadline_{};
};

} // namespace wdh
