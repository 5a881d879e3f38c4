#include "plugin/channel_messages.h"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <sys/uio.h>
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

bool sendFrameWithDescriptor(int fd, const std::string& frame, int descriptor) {
  if (frame.empty())
    return false;
  iovec data{const_cast<char*>(frame.data()), frame.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr message{};
  message.msg_iov = &data;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  cmsghdr* header = CMSG_FIRSTHDR(&message);
  header->cmsg_level = SOL_SOCKET;
  header->cmsg_type = SCM_RIGHTS;
  header->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(header), &descriptor, sizeof(int));
  ssize_t n = 0;
  do
    n = ::sendmsg(fd, &message, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    return false;
  // The descriptor went with the first bytes; the rest (a short send) follows without it.
  return static_cast<std::size_t>(n) == frame.size() ||
         sendFrame(fd, frame.substr(static_cast<std::size_t>(n)));
}

namespace {

// One read of `fd` into `buffer`, collecting the descriptors that came along into
// *descriptors (when given). The result of read(2).
ssize_t readSome(int fd, char* buffer, std::size_t size, std::deque<int>* descriptors) {
  if (descriptors == nullptr)
    return ::read(fd, buffer, size);
  iovec data{buffer, size};
  alignas(cmsghdr) char control[CMSG_SPACE(8 * sizeof(int))];
  msghdr message{};
  message.msg_iov = &data;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  ssize_t n = ::recvmsg(fd, &message, MSG_CMSG_CLOEXEC);
  if (n < 0)
    return n;
  for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr;
       header = CMSG_NXTHDR(&message, header)) {
    if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS)
      continue;
    const std::size_t count = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (std::size_t i = 0; i < count; ++i) {
      int received = -1;
      std::memcpy(&received, CMSG_DATA(header) + i * sizeof(int), sizeof(int));
      descriptors->push_back(received);
    }
  }
  // MSG_CTRUNC (the receiver is out of descriptors): the kernel closed what it could not pass,
  // so its sender sees the other end closed; the bytes stay good.
  return n;
}

} // namespace

bool receiveFrame(int fd, FrameSplitter& splitter, std::string* body, std::string* error,
                  std::deque<int>* descriptors) {
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
    ssize_t n = readSome(fd, buffer, sizeof buffer, descriptors);
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
