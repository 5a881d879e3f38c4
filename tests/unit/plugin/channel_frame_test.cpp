// The channel between the host and wdhost-plugin-host: frames round-trip byte for byte however
// the stream splits them, and truncated, oversize and garbage frames are refused, never trusted.
#include "plugin/channel_frame.h"
#include "plugin/channel_messages.h"

#include <cstring>
#include <deque>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace wdh;

namespace {

// The body of `frame` (what FrameSplitter yields for it).
std::string bodyOf(const std::string& frame) {
  return frame.substr(4);
}

std::string lengthPrefix(std::uint32_t length) {
  std::string out;
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<char>((length >> (8 * i)) & 0xffu));
  return out;
}

} // namespace

TEST_CASE("channel frame: fields round-trip, binary bytes and extremes included") {
  std::string binary("a\0b\xff\n", 5);
  std::string frame = FrameBuilder(7, 0xfffffffeu)
                          .u64(0)
                          .u64(~0ull)
                          .i32(-1)
                          .i32(2147483647)
                          .bytes("")
                          .bytes(binary)
                          .frame();
  const std::string body = bodyOf(frame); // FrameFields borrows it
  FrameFields fields(body);
  CHECK(fields.type() == 7);
  CHECK(fields.callId() == 0xfffffffeu);
  std::uint64_t a = 1, b = 0;
  std::int32_t c = 0, d = 0;
  std::string e = "x", f;
  CHECK(fields.u64(&a));
  CHECK(fields.u64(&b));
  CHECK(fields.i32(&c));
  CHECK(fields.i32(&d));
  CHECK(fields.bytes(&e));
  CHECK(fields.bytes(&f));
  CHECK(a == 0);
  CHECK(b == ~0ull);
  CHECK(c == -1);
  CHECK(d == 2147483647);
  CHECK(e.empty());
  CHECK(f == binary);
  CHECK(fields.atEnd());
}

TEST_CASE("channel frame: a truncated body fails its reads and stays failed") {
  std::string body = bodyOf(FrameBuilder(3, 9).bytes("hello").u64(5).frame());
  body.resize(body.size() - 1);
  FrameFields fields(body);
  std::string text;
  std::uint64_t number = 0;
  CHECK(fields.bytes(&text));
  CHECK_FALSE(fields.u64(&number));
  CHECK_FALSE(fields.ok());
  CHECK_FALSE(fields.atEnd());
  // A string whose length runs past the body.
  std::string lying = bodyOf(FrameBuilder(3, 9).frame()) + lengthPrefix(100) + "short";
  FrameFields liar(lying);
  CHECK_FALSE(liar.bytes(&text));
  // A body shorter than the header.
  const std::string tinyBody("\x01\x02", 2);
  FrameFields tiny(tinyBody);
  CHECK_FALSE(tiny.ok());
  // Trailing bytes are not an end.
  const std::string trailingBody = bodyOf(FrameBuilder(3, 9).frame()) + "x";
  FrameFields trailing(trailingBody);
  CHECK(trailing.ok());
  CHECK_FALSE(trailing.atEnd());
}

TEST_CASE("channel frame: the splitter finds frames however the stream is cut") {
  std::string stream = FrameBuilder(1, 1).bytes("first").frame() +
                       FrameBuilder(2, 2).bytes(std::string(70000, 'z')).frame() +
                       FrameBuilder(3, 3).frame();
  for (std::size_t chunk : {std::size_t(1), std::size_t(3), std::size_t(4096), stream.size()}) {
    FrameSplitter splitter;
    std::vector<std::string> bodies;
    std::string body, error;
    bool invalid = false;
    for (std::size_t at = 0; at < stream.size(); at += chunk) {
      splitter.feed(std::string_view(stream).substr(at, chunk));
      FrameSplitter::Result result;
      while ((result = splitter.next(&body, &error)) == FrameSplitter::Result::Frame)
        bodies.push_back(body);
      invalid = invalid || result == FrameSplitter::Result::Invalid;
    }
    CHECK_FALSE(invalid);
    INFO("chunk " << chunk);
    REQUIRE(bodies.size() == 3);
    CHECK(FrameFields(bodies[0]).type() == 1);
    CHECK(FrameFields(bodies[1]).callId() == 2);
    CHECK(bodies[1].size() == 5 + 4 + 70000);
    CHECK(FrameFields(bodies[2]).atEnd());
    CHECK(splitter.pending() == 0);
  }
}

TEST_CASE("channel frame: a truncated stream leaves bytes pending and yields no frame") {
  std::string frame = FrameBuilder(4, 4).bytes("cut").frame();
  FrameSplitter splitter;
  splitter.feed(frame.substr(0, frame.size() - 2));
  std::string body, error;
  CHECK(splitter.next(&body, &error) == FrameSplitter::Result::NeedMore);
  CHECK(splitter.pending() == frame.size() - 2);
}

TEST_CASE("channel frame: oversize and undersize lengths are refused before any body is read") {
  std::string body, error;
  FrameSplitter oversize;
  oversize.feed(lengthPrefix(kMaxChannelFrame + 1));
  CHECK(oversize.next(&body, &error) == FrameSplitter::Result::Invalid);
  CHECK(error.find(std::to_string(kMaxChannelFrame + 1)) != std::string::npos);
  FrameSplitter undersize;
  undersize.feed(lengthPrefix(kChannelFrameHeader - 1) + "abcd");
  CHECK(undersize.next(&body, &error) == FrameSplitter::Result::Invalid);
  // Garbage text read as a length is far beyond the limit.
  FrameSplitter garbage;
  garbage.feed("GET / HTTP/1.1\r\n\r\n");
  CHECK(garbage.next(&body, &error) == FrameSplitter::Result::Invalid);
  // The builder refuses to make a frame the reader would refuse.
  CHECK(FrameBuilder(1, 1).bytes(std::string(kMaxChannelFrame, 'x')).frame().empty());
  CHECK_FALSE(FrameBuilder(1, 1).bytes(std::string(kMaxChannelFrame - 20, 'x')).frame().empty());
}

TEST_CASE("channel messages: a reply round-trips and an unknown kind is refused") {
  PluginReply reply;
  reply.kind = PluginReply::Kind::Error;
  reply.error = "invalid argument";
  reply.message = "bad \"key\"";
  reply.data = "{\"text\":\"x\"}";
  reply.ignoredCalls = 2;
  FrameBuilder frame(static_cast<std::uint8_t>(ChannelMessage::Result), 5);
  appendReply(frame, reply);
  std::string body = bodyOf(frame.frame());
  FrameFields fields(body);
  PluginReply back;
  REQUIRE(readReply(fields, &back));
  CHECK(fields.atEnd());
  CHECK(back.kind == PluginReply::Kind::Error);
  CHECK(back.error == reply.error);
  CHECK(back.message == reply.message);
  CHECK(back.data == reply.data);
  CHECK(back.ignoredCalls == 2);

  std::string bad = bodyOf(FrameBuilder(10, 5).i32(7).frame());
  FrameFields badFields(bad);
  CHECK_FALSE(readReply(badFields, &back));
}

TEST_CASE("channel messages: frames cross a socketpair whole, both ways at once") {
  int fds[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
  const std::string big(3 * 1024 * 1024, 'q'); // larger than the socket buffer
  std::thread writer([&] {
    for (std::uint32_t i = 1; i <= 3; ++i)
      CHECK(sendFrame(fds[0], FrameBuilder(1, i).bytes(big).frame()));
    ::shutdown(fds[0], SHUT_WR);
  });
  FrameSplitter splitter;
  std::string body, error;
  std::uint32_t received = 0;
  while (receiveFrame(fds[1], splitter, &body, &error)) {
    FrameFields fields(body);
    std::string text;
    CHECK(fields.bytes(&text));
    CHECK(text == big);
    CHECK(fields.callId() == ++received);
  }
  writer.join();
  CHECK(received == 3);
  CHECK(error == "the channel closed");
  // A peer that is gone: sending fails, it does not raise SIGPIPE.
  ::close(fds[1]);
  CHECK_FALSE(sendFrame(fds[0], FrameBuilder(1, 9).frame()));
  ::close(fds[0]);
}

TEST_CASE("channel messages: a stream that ends inside a frame says so") {
  int fds[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
  std::string frame = FrameBuilder(1, 1).bytes("half").frame();
  REQUIRE(::write(fds[0], frame.data(), 6) == 6);
  ::close(fds[0]);
  FrameSplitter splitter;
  std::string body, error;
  CHECK_FALSE(receiveFrame(fds[1], splitter, &body, &error));
  CHECK(error == "the channel closed in the middle of a frame");
  ::close(fds[1]);
}

TEST_CASE("channel messages: descriptors come along with their frames, in order") {
  int channel[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, channel) == 0);
  // Three lanes handed over between plain frames; each received end must reach its own peer.
  int lanes[3][2];
  for (auto& lane : lanes)
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, lane) == 0);
  const std::string big(200 * 1024, 'x'); // a frame split over several reads
  std::thread writer([&] {
    for (std::uint32_t i = 0; i < 3; ++i) {
      CHECK(sendFrame(channel[0], FrameBuilder(1, 100 + i).bytes(big).frame()));
      CHECK(sendFrameWithDescriptor(channel[0], FrameBuilder(2, i).frame(), lanes[i][1]));
      ::close(lanes[i][1]); // the receiver holds its own copy
    }
    ::shutdown(channel[0], SHUT_WR);
  });
  FrameSplitter splitter;
  std::deque<int> received;
  std::string body, error;
  std::uint32_t handed = 0;
  int plain = 0;
  while (receiveFrame(channel[1], splitter, &body, &error, &received)) {
    FrameFields fields(body);
    if (fields.type() == 1) {
      ++plain;
      continue;
    }
    REQUIRE(fields.type() == 2);
    REQUIRE_FALSE(received.empty());
    int fd = received.front();
    received.pop_front();
    CHECK((::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    // What is written on the received end arrives at the lane the sender made for this frame.
    const char mark = static_cast<char>('a' + fields.callId());
    CHECK(::write(fd, &mark, 1) == 1);
    char got = 0;
    CHECK(::read(lanes[fields.callId()][0], &got, 1) == 1);
    CHECK(got == mark);
    ::close(fd);
    ++handed;
  }
  writer.join();
  CHECK(plain == 3);
  CHECK(handed == 3);
  CHECK(received.empty());
  CHECK(error == "the channel closed");
  for (auto& lane : lanes)
    ::close(lane[0]);
  ::close(channel[0]);
  ::close(channel[1]);
}
