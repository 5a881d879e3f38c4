#include "http/websocket.h"

#include "core/base64.h"

#include <Poco/SHA1Engine.h>
#include <algorithm>

namespace wdh {
namespace {

// The length of a frame header whose first two bytes are known.
std::size_t headerLength(const unsigned char* header) {
  std::size_t length = 2;
  unsigned lengthCode = header[1] & 0x7f;
  if (lengthCode == 126)
    length += 2;
  else if (lengthCode == 127)
    length += 8;
  if (header[1] & 0x80)
    length += 4; // masking key
  return length;
}

std::uint64_t payloadLength(const unsigned char* header) {
  unsigned lengthCode = header[1] & 0x7f;
  if (lengthCode < 126)
    return lengthCode;
  std::size_t bytes = lengthCode == 126 ? 2 : 8;
  std::uint64_t length = 0;
  for (std::size_t i = 0; i < bytes; ++i)
    length = (length << 8) | header[2 + i];
  return length;
}

// 22 base64 characters and "==": the encoding of 16 bytes.
bool isSixteenByteBase64(std::string_view key) {
  if (key.size() != 24 || key.substr(22) != "==")
    return false;
  return std::all_of(key.begin(), key.begin() + 22, [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
  });
}

} // namespace

Status checkUpgrade(std::string_view method, const WebSocketUpgrade& upgrade) {
  auto bad = [](std::string why) {
    return Status(ErrorCode::InvalidArgument, "not a valid websocket upgrade: " + why);
  };
  if (method != "GET")
    return bad("it must be a GET, not " + std::string(method));
  if (!upgrade.requested)
    return bad("send \"Upgrade: websocket\" (this endpoint is a websocket)");
  if (!upgrade.connectionUpgrade)
    return bad("send \"Connection: Upgrade\"");
  if (upgrade.version != "13")
    return bad("send \"Sec-WebSocket-Version: 13\"");
  if (!isSixteenByteBase64(upgrade.key))
    return bad("Sec-WebSocket-Key must be 16 random bytes in base64");
  return Status::ok();
}

void FrameScanner::feed(const char* data, std::size_t size) noexcept {
  const auto* bytes = reinterpret_cast<const unsigned char*>(data);
  while (size > 0) {
    if (payloadLeft_ > 0) {
      std::uint64_t skip = std::min<std::uint64_t>(payloadLeft_, size);
      payloadLeft_ -= skip;
      fed_ += skip;
      bytes += skip;
      size -= static_cast<std::size_t>(skip);
    } else {
      if (headerHave_ == 0)
        frameStart_ = fed_;
      std::size_t need = headerHave_ < 2 ? 2 : headerLength(header_);
      std::size_t take = std::min(need - headerHave_, size);
      std::copy(bytes, bytes + take, header_ + headerHave_);
      headerHave_ += take;
      fed_ += take;
      bytes += take;
      size -= take;
      if (headerHave_ < need || (headerHave_ == 2 && headerLength(header_) > 2))
        continue;
      closing_ = (header_[0] & 0x0f) == 0x8;
      payloadLeft_ = payloadLength(header_);
      headerHave_ = 0;
    }
    if (payloadLeft_ == 0 && headerHave_ == 0) {
      ++frames_;
      if (closing_)
        sawClose_ = true;
      closing_ = false;
      frameStart_ = fed_;
    }
  }
}

std::string closeFrame(std::uint16_t code, std::string_view reason) {
  constexpr std::size_t kMaxReason = 123; // 125 bytes of control payload, less the code
  if (reason.size() > kMaxReason) {
    std::size_t cut = kMaxReason;
    while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xc0) == 0x80)
      --cut; // do not split a UTF-8 sequence
    reason = reason.substr(0, cut);
  }
  std::string frame;
  frame.reserve(4 + reason.size());
  frame.push_back(static_cast<char>(0x88)); // FIN + close
  frame.push_back(static_cast<char>(2 + reason.size()));
  frame.push_back(static_cast<char>(code >> 8));
  frame.push_back(static_cast<char>(code & 0xff));
  frame.append(reason);
  return frame;
}

namespace {

// The length of the UTF-8 sequence starting at text[at], or 0 when it is not a valid one.
std::size_t utf8Length(std::string_view text, std::size_t at) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char first = byte(at);
  if (first < 0x80)
    return 1;
  std::size_t length = first >= 0xF0 && first <= 0xF4   ? 4
                       : first >= 0xE0                  ? 3
                       : first >= 0xC2 && first <= 0xDF ? 2
                                                        : 0;
  if (length == 0 || at + length > text.size())
    return 0;
  for (std::size_t i = 1; i < length; ++i)
    if ((byte(at + i) & 0xC0) != 0x80)
      return 0;
  // No overlong three- or four-byte forms, no surrogates, nothing past U+10FFFF.
  unsigned char second = byte(at + 1);
  if ((first == 0xE0 && second < 0xA0) || (first == 0xED && second >= 0xA0) ||
      (first == 0xF0 && second < 0x90) || (first == 0xF4 && second >= 0x90))
    return 0;
  return length;
}

// The head of an unmasked final frame with `opcode` and a payload of `size` bytes.
std::string serverFrameHead(unsigned opcode, std::uint64_t size) {
  std::string frame;
  frame.push_back(static_cast<char>(0x80 | opcode)); // FIN
  if (size < 126) {
    frame.push_back(static_cast<char>(size));
  } else if (size <= 0xFFFF) {
    frame.push_back(126);
    frame.push_back(static_cast<char>(size >> 8));
    frame.push_back(static_cast<char>(size & 0xFF));
  } else {
    frame.push_back(127);
    for (int shift = 56; shift >= 0; shift -= 8)
      frame.push_back(static_cast<char>((size >> shift) & 0xFF));
  }
  return frame;
}

} // namespace

std::string textFrame(std::string_view text) {
  std::string payload;
  payload.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) {
    std::size_t length = utf8Length(text, at);
    if (length == 0) {
      payload += "\xEF\xBF\xBD";
      ++at;
      continue;
    }
    payload.append(text.substr(at, length));
    at += length;
  }
  return serverFrameHead(0x1, payload.size()) + payload;
}

std::string binaryFrameHead(std::uint64_t size) {
  return serverFrameHead(0x2, size);
}

void WebSocketMessageReader::feed(const char* data, std::size_t size) {
  if (failed_ != Result::NeedMore)
    return;
  std::size_t skipped = static_cast<std::size_t>(std::min<std::uint64_t>(skipBytes_, size));
  skipBytes_ -= skipped;
  buffer_.append(data + skipped, size - skipped);
}

WebSocketMessageReader::Result WebSocketMessageReader::next(std::string* message) {
  for (;;) {
    if (failed_ != Result::NeedMore)
      return failed_;
    const auto byte = [this](std::size_t i) { return static_cast<unsigned char>(buffer_[i]); };
    if (buffer_.size() < 2)
      return Result::NeedMore;
    bool fin = (byte(0) & 0x80) != 0;
    unsigned opcode = byte(0) & 0x0F;
    bool masked = (byte(1) & 0x80) != 0;
    std::uint64_t length = byte(1) & 0x7F;
    std::size_t head = 2;
    if (length == 126) {
      if (buffer_.size() < 4)
        return Result::NeedMore;
      length = (std::uint64_t{byte(2)} << 8) | byte(3);
      head = 4;
    } else if (length == 127) {
      if (buffer_.size() < 10)
        return Result::NeedMore;
      length = 0;
      for (std::size_t i = 2; i < 10; ++i)
        length = (length << 8) | byte(i);
      head = 10;
    }
    if ((byte(0) & 0x70) != 0 || (!masked && !follow_))
      return failed_ = Result::ProtocolError; // no extension was agreed; clients must mask
    bool control = (opcode & 0x8) != 0;
    if (control && (!fin || length > 125))
      return failed_ = Result::ProtocolError;
    std::size_t maskSize = masked ? 4 : 0;
    if (!control && (skipping_ || length > maxMessage_ || partial_.size() + length > maxMessage_)) {
      if (!follow_)
        return failed_ = Result::TooBig;
      // Passed over as it streams by: what is here goes now, the rest as it comes.
      std::uint64_t frame = head + maskSize + length;
      std::size_t here = static_cast<std::size_t>(std::min<std::uint64_t>(frame, buffer_.size()));
      buffer_.erase(0, here);
      skipBytes_ = frame - here;
      skipping_ = !fin; // its continuation frames are passed over too
      inMessage_ = false;
      partial_.clear();
      continue;
    }
    if (buffer_.size() < head + maskSize + length)
      return Result::NeedMore;
    std::string payload = buffer_.substr(head + maskSize, static_cast<std::size_t>(length));
    if (masked) {
      const char* mask = buffer_.data() + head;
      for (std::size_t i = 0; i < payload.size(); ++i)
        payload[i] = static_cast<char>(payload[i] ^ mask[i % 4]);
    }
    buffer_.erase(0, head + maskSize + static_cast<std::size_t>(length));
    switch (opcode) {
    case 0x8:
      return failed_ = Result::Closed;
    case 0x9:
    case 0xA:
      continue; // ping and pong: nothing the host needs to answer here
    case 0x0:
      if (!inMessage_)
        return failed_ = Result::ProtocolError;
      partial_ += payload;
      break;
    case 0x1:
    case 0x2:
      if (inMessage_)
        return failed_ = Result::ProtocolError;
      inMessage_ = true;
      text_ = opcode == 0x1;
      partial_ = std::move(payload);
      break;
    default:
      return failed_ = Result::ProtocolError;
    }
    if (!fin)
      continue;
    inMessage_ = false;
    *message = std::move(partial_);
    partial_.clear();
    return text_ ? Result::Text : Result::Binary;
  }
}

std::string acceptedUpgradeHead(const WebSocketUpgrade& upgrade) {
  Poco::SHA1Engine sha1;
  sha1.update(upgrade.key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
  const Poco::DigestEngine::Digest& digest = sha1.digest();
  std::string accept =
      base64Encode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
  return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Accept: " +
         accept + "\r\n\r\n";
}

} // namespace wdh
