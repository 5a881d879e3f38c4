// The few parts of the WebSocket protocol (RFC 6455) a relaying host needs: checking an upgrade
// request, following frame boundaries in a byte stream without decoding payloads, and writing
// the frames and the 101 of a stream the host serves itself (a session's log).
#pragma once

#include "core/status.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace wdh {

// The headers of a client's upgrade request that matter to a relay.
struct WebSocketUpgrade {
  bool requested = false;         // "Upgrade: websocket" was sent
  bool connectionUpgrade = false; // "Connection" lists "upgrade"
  std::string key;                // Sec-WebSocket-Key
  std::string version;            // Sec-WebSocket-Version
  std::string protocol;           // Sec-WebSocket-Protocol, forwarded as is (may be empty)
  std::string extensions;         // Sec-WebSocket-Extensions, forwarded as is (may be empty)
};

// Ok when `upgrade` is a valid RFC 6455 opening handshake (GET, version 13, a 16-byte key);
// otherwise InvalidArgument saying what is missing.
Status checkUpgrade(std::string_view method, const WebSocketUpgrade& upgrade);

// Follows the frames of one direction of a websocket stream, a chunk at a time, to know where
// each frame ends: the payloads are skipped, never decoded or copied.
class FrameScanner {
public:
  // Accounts for `size` more bytes of the stream.
  void feed(const char* data, std::size_t size) noexcept;
  // True when every byte fed so far belongs to a complete frame.
  bool atBoundary() const noexcept { return headerHave_ == 0 && payloadLeft_ == 0; }
  // Stream offset (bytes fed before it) where the frame being read began; the total fed when
  // at a boundary.
  std::uint64_t frameStart() const noexcept { return frameStart_; }
  // True once a close frame (opcode 8) was seen whole in the stream.
  bool sawClose() const noexcept { return sawClose_; }
  // Frames seen whole so far.
  std::uint64_t frames() const noexcept { return frames_; }

private:
  std::uint64_t fed_ = 0;
  std::uint64_t frameStart_ = 0;
  std::uint64_t payloadLeft_ = 0;
  unsigned char header_[14] = {};
  std::size_t headerHave_ = 0;
  bool closing_ = false; // the frame being read is a close frame
  bool sawClose_ = false;
  std::uint64_t frames_ = 0;
};

// An unmasked close frame (as a server sends it) with `code` and a UTF-8 `reason`, cut to the
// 123 bytes a control frame allows (never inside a UTF-8 sequence).
std::string closeFrame(std::uint16_t code, std::string_view reason);

// An unmasked text frame (as a server sends it) holding `text`, whose bytes that are not UTF-8
// become U+FFFD (a text frame must be UTF-8, or the client fails the connection).
std::string textFrame(std::string_view text);

// The head of an unmasked binary frame (as a server sends it) whose payload of `size` bytes
// follows it: the payload is sent as it is, never copied into the frame.
std::string binaryFrameHead(std::uint64_t size);

// Reads the messages a client sends a websocket the host serves itself: masked frames (an
// unmasked one is a protocol error), text or binary messages put together from their
// fragments, at most `maxMessage` bytes each; pings and pongs are skipped. Made to follow a
// relayed stream instead, it reads either side's frames (masked or not) and passes over a
// message too long to keep, without holding it. One thread at a time.
class WebSocketMessageReader {
public:
  // How a reader takes what it reads.
  enum class Mode {
    Serve,  // a client of the host's own websocket: frames must be masked, limits are errors
    Follow, // a relayed stream, either side: any masking, a message too long is passed over
  };
  // What the stream holds next.
  enum class Result {
    NeedMore,      // no whole message yet: feed more
    Text,          // a text message (its bytes are not checked for UTF-8)
    Binary,        // a binary message
    Closed,        // the client sent a close frame
    ProtocolError, // a frame breaking RFC 6455: answer 1002 and close
    TooBig,        // a message longer than allowed: answer 1009 and close
  };
  // Reads messages of at most `maxMessage` bytes.
  explicit WebSocketMessageReader(std::size_t maxMessage, Mode mode = Mode::Serve)
      : maxMessage_(maxMessage), follow_(mode == Mode::Follow) {}
  // Adds `size` bytes the client sent (then call next()).
  void feed(const char* data, std::size_t size);
  // The next whole message into *message (Text or Binary), or what stops the stream; once
  // Closed, ProtocolError or TooBig, it stays so.
  Result next(std::string* message);

private:
  std::size_t maxMessage_;
  bool follow_ = false;
  std::uint64_t skipBytes_ = 0; // Follow: bytes of a passed-over frame still to come
  bool skipping_ = false;       // Follow: the rest of the message being read is passed over
  std::string buffer_;          // bytes not yet read as frames
  std::string partial_;         // the fragments of a message so far
  bool inMessage_ = false;
  bool text_ = false;
  Result failed_ = Result::NeedMore;
};

// Sees the bytes of a relayed websocket as they pass, each side's in order (a trace follows a
// session's BiDi messages). Called on the relaying thread: must not block or throw.
class WebSocketTap {
public:
  virtual ~WebSocketTap() = default;
  // `size` bytes from the client (`fromClient`) or from the upstream.
  virtual void bytes(bool fromClient, const char* data, std::size_t size) noexcept = 0;
};

// The 101 head a server answers `upgrade` with (checkUpgrade() passed), blank line included.
std::string acceptedUpgradeHead(const WebSocketUpgrade& upgrade);

} // namespace wdh
