#include "plugin/channel_messages.h"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <unistd.h>

namespace wdh {

void appendReply(FrameBuilder& frame, const PluginReply& reply) {
  frame.i32(static_cast<std::int32_t>(reply.kind))
      .bytes(reply.json)
      .bytes(reply.error)
      .bytes(reply.message)
      .bytes(reply.data)
      .i32(reply.ignoredCalls);
}

bool readReply(FrameFields& fields, PluginReply* reply) {
  std::int32_t kind = 0;
  if (!fields.i32(&kind) || kind < 0 || kind > static_cast<std::int32_t>(PluginReply::Kind::Error))
    return false;
  reply->kind = static_cast<PluginReply::Kind>(kind);
  std::int32_t ignored = 0;
  if (!fields.bytes(&reply->json) || !fields.bytes(&reply->error) ||
      !fields.bytes(&reply->message) || !fields.bytes(&reply->data) || !fields.i32(&ignored) ||
      ignored < 0)
    return false;
  reply->ignoredCalls = ignored;
  return true;
}

bool sendFrame(int fd, const std::string& frame) {
  std::size_t sent = 0;
  if (frame.empty())
    return false;
  while (sent < frame.size()) {
    ssize_t n = ::send(fd, frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

bool receiveFrame(int fd, FrameSplitter& splitter, std::string* body, std::string* error) {
  char buffer[64 * 1024];
  for (;;) {
    switch (splitter.next(body, error)) {
    case FrameSplitter::Result::Frame:
      return true;
    case FrameSplitter::Result::Invalid:
      return false;
    case FrameSplitter::Result::NeedMore:
      break;
    }
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n == 0) {
      *error = splitter.pending() > 0 ? "the channel closed in the middle of a frame"
                                      : "the channel closed";
      return false;
    }
    if (n < 0) {
      *error = std::string("cannot read the channel: ") + std::strerror(errno);
      return false;
    }
    splitter.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
  }
}

} // namespace wdh
