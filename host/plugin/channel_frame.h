// The framing of the channel between the host and wdhost-plugin-host: length-prefixed binary
// frames, each one message (a type, a call id, and fields that are integers or byte strings).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace wdh {

// The largest frame body either side accepts (a command's screenshot fits many times over).
constexpr std::uint32_t kMaxChannelFrame = 64u * 1024u * 1024u;

// The smallest frame body: the type byte and the call id.
constexpr std::uint32_t kChannelFrameHeader = 1u + 4u;

// Builds one frame: appends fields, then frame() gives the bytes to send. Not thread-safe.
class FrameBuilder {
public:
  // A frame of message `type` for call `callId` (0 = not part of a call).
  FrameBuilder(std::uint8_t type, std::uint32_t callId);
  // Appends an unsigned 64-bit integer (little-endian).
  FrameBuilder& u64(std::uint64_t value);
  // Appends a signed 32-bit integer (little-endian).
  FrameBuilder& i32(std::int32_t value);
  // Appends a byte string: its length (u32) and its bytes.
  FrameBuilder& bytes(std::string_view value);
  // The whole frame, length prefix included; empty when the body passed kMaxChannelFrame.
  std::string frame() const;

private:
  std::string body_;
};

// One received frame: its header and a cursor over its fields. Borrows the body it reads.
class FrameFields {
public:
  // Reads the header of `body` (a frame without its length prefix); ok() false when too short.
  explicit FrameFields(std::string_view body);
  // The message type.
  std::uint8_t type() const noexcept { return type_; }
  // The call id.
  std::uint32_t callId() const noexcept { return callId_; }
  // Reads the next field; false (and ok() false from then on) when the body is too short.
  bool u64(std::uint64_t* value);
  bool i32(std::int32_t* value);
  bool bytes(std::string* value);
  // True while every read so far found its bytes.
  bool ok() const noexcept { return ok_; }
  // True when every byte of the body was read (a frame with trailing bytes is garbage).
  bool atEnd() const noexcept { return ok_ && rest_.empty(); }

private:
  bool take(std::size_t size, std::string_view* out);

  std::string_view rest_;
  std::uint8_t type_ = 0;
  std::uint32_t callId_ = 0;
  bool ok_ = true;
};

// Splits a byte stream into frame bodies. Feed it what arrived; take bodies while there are.
class FrameSplitter {
public:
  // What next() found.
  enum class Result { Frame, NeedMore, Invalid };
  // Appends bytes as they arrived.
  void feed(std::string_view data);
  // Frame: *body is the next body. NeedMore: no whole frame yet. Invalid: a length below the
  // header or above kMaxChannelFrame (*error says which); the stream cannot be trusted after.
  Result next(std::string* body, std::string* error);
  // Bytes received but not yet taken as a frame (a stream that ends with some was truncated).
  std::size_t pending() const noexcept { return buffer_.size() - start_; }

private:
  std::string buffer_;
  std::size_t start_ = 0;
};

} // namespace wdh
