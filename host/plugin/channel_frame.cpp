#include "plugin/channel_frame.h"

namespace wdh {
namespace {

void putLittle(std::string* out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out->push_back(static_cast<char>((value >> (8 * i)) & 0xffu));
}

std::uint64_t getLittle(std::string_view in, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i)
    value |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[static_cast<std::size_t>(i)]))
             << (8 * i);
  return value;
}

} // namespace

FrameBuilder::FrameBuilder(std::uint8_t type, std::uint32_t callId) {
  body_.push_back(static_cast<char>(type));
  putLittle(&body_, callId, 4);
}

FrameBuilder& FrameBuilder::u64(std::uint64_t value) {
  putLittle(&body_, value, 8);
  return *this;
}

FrameBuilder& FrameBuilder::i32(std::int32_t value) {
  putLittle(&body_, static_cast<std::uint32_t>(value), 4);
  return *this;
}

FrameBuilder& FrameBuilder::bytes(std::string_view value) {
  putLittle(&body_, value.size(), 4);
  body_.append(value);
  return *this;
}

std::string FrameBuilder::frame() const {
  if (body_.size() > kMaxChannelFrame)
    return std::string();
  std::string out;
  out.reserve(4 + body_.size());
  putLittle(&out, body_.size(), 4);
  out.append(body_);
  return out;
}

FrameFields::FrameFields(std::string_view body) : rest_(body) {
  std::string_view header;
  if (!take(kChannelFrameHeader, &header))
    return;
  type_ = static_cast<std::uint8_t>(header[0]);
  callId_ = static_cast<std::uint32_t>(getLittle(header.substr(1), 4));
}

bool FrameFields::take(std::size_t size, std::string_view* out) {
  if (!ok_ || rest_.size() < size) {
    ok_ = false;
    return false;
  }
  *out = rest_.substr(0, size);
  rest_.remove_prefix(size);
  return true;
}

bool FrameFields::u64(std::uint64_t* value) {
  std::string_view raw;
  if (!take(8, &raw))
    return false;
  *value = getLittle(raw, 8);
  return true;
}

bool FrameFields::i32(std::int32_t* value) {
  std::string_view raw;
  if (!take(4, &raw))
    return false;
  *value = static_cast<std::int32_t>(static_cast<std::uint32_t>(getLittle(raw, 4)));
  return true;
}

bool FrameFields::bytes(std::string* value) {
  std::string_view raw;
  if (!take(4, &raw))
    return false;
  std::string_view text;
  if (!take(static_cast<std::size_t>(getLittle(raw, 4)), &text))
    return false;
  value->assign(text);
  return true;
}

void FrameSplitter::feed(std::string_view data) {
  if (start_ > 0 && start_ == buffer_.size()) {
    buffer_.clear();
    start_ = 0;
  }
  buffer_.append(data);
}

FrameSplitter::Result FrameSplitter::next(std::string* body, std::string* error) {
  std::string_view rest(buffer_);
  rest.remove_prefix(start_);
  if (rest.size() < 4)
    return Result::NeedMore;
  const std::uint64_t length = getLittle(rest, 4);
  if (length < kChannelFrameHeader || length > kMaxChannelFrame) {
    *error = "a frame of " + std::to_string(length) +
             " bytes (allowed: " + std::to_string(kChannelFrameHeader) + " to " +
             std::to_string(kMaxChannelFrame) + ")";
    return Result::Invalid;
  }
  if (rest.size() - 4 < length)
    return Result::NeedMore;
  body->assign(rest.substr(4, static_cast<std::size_t>(length)));
  start_ += 4 + static_cast<std::size_t>(length);
  if (start_ > 1024 * 1024 && start_ * 2 > buffer_.size()) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
  return Result::Frame;
}

} // namespace wdh
