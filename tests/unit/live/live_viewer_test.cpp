#include "live/live_viewer.h"

#include "json/json.h"
#include <atomic>
#include <doctest/doctest.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <tuple>

using namespace wdh;

namespace {

// The person's end of a viewer's socket pair: masked frames out, the server's frames in.
struct Person {
  UniqueFd fd;

  void send(unsigned opcode, const std::string& payload, bool masked = true) {
    std::string frame(1, static_cast<char>(0x80 | opcode));
    REQUIRE(payload.size() < 126);
    frame.push_back(static_cast<char>((masked ? 0x80 : 0) | payload.size()));
    const char key[4] = {'\x0a', '\x0b', '\x0c', '\x0d'};
    if (masked)
      frame.append(key, 4);
    for (std::size_t i = 0; i < payload.size(); ++i)
      frame.push_back(static_cast<char>(payload[i] ^ (masked ? key[i % 4] : 0)));
    REQUIRE(::send(fd.get(), frame.data(), frame.size(), MSG_NOSIGNAL) ==
            static_cast<ssize_t>(frame.size()));
  }
  void read(char* out, std::size_t n) {
    std::size_t have = 0;
    while (have < n) {
      pollfd wait{fd.get(), POLLIN, 0};
      REQUIRE(::poll(&wait, 1, 5000) == 1);
      ssize_t got = ::recv(fd.get(), out + have, n - have, 0);
      REQUIRE(got > 0);
      have += static_cast<std::size_t>(got);
    }
  }
  // The next frame: its opcode and payload.
  std::pair<int, std::string> frame() {
    unsigned char head[2];
    read(reinterpret_cast<char*>(head), 2);
    CHECK((head[1] & 0x80) == 0); // a server never masks
    std::uint64_t length = head[1] & 0x7F;
    if (length >= 126) {
      unsigned char more[8];
      std::size_t bytes = length == 126 ? 2 : 8;
      read(reinterpret_cast<char*>(more), bytes);
      length = 0;
      for (std::size_t i = 0; i < bytes; ++i)
        length = (length << 8) | more[i];
    }
    std::string payload(length, '\0');
    read(payload.data(), payload.size());
    return {head[0] & 0x0F, payload};
  }
  // The next text message of type `type` (pictures and other messages skipped).
  rapidjson::Document message(const std::string& type) {
    for (int i = 0; i < 20; ++i) {
      auto [opcode, payload] = frame();
      REQUIRE(opcode != 8);
      if (opcode != 1)
        continue;
      rapidjson::Document doc;
      REQUIRE(parseJsonObject(payload, &doc).isOk());
      if (doc["type"].GetString() == type)
        return doc;
    }
    FAIL("no " << type << " message");
    return rapidjson::Document();
  }
  // The close code the server sent (frames before it skipped).
  int closeCode() {
    for (int i = 0; i < 20; ++i) {
      auto [opcode, payload] = frame();
      if (opcode == 8)
        return payload.size() >= 2 ? (static_cast<unsigned char>(payload[0]) << 8) |
                                         static_cast<unsigned char>(payload[1])
                                   : 0;
    }
    return -1;
  }
};

// A viewer of a session no backend serves (pictures come from the test) and its person.
struct Watched {
  std::shared_ptr<LiveSession> session =
      std::make_shared<LiveSession>(std::weak_ptr<Session>(), "s");
  Person person;
  std::unique_ptr<LiveViewer> viewer;

  explicit Watched(ViewerRights rights, std::uint64_t number = 1) {
    int pair[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
    person.fd = UniqueFd(pair[1]);
    viewer = std::make_unique<LiveViewer>(number, session, rights, UniqueFd(pair[0]));
  }
};

ViewFrame picture(const std::string& bytes) {
  ViewFrame frame;
  frame.contentType = "image/jpeg";
  frame.bytes = bytes;
  frame.cssWidth = 800;
  frame.cssHeight = 600;
  return frame;
}

} // namespace

TEST_CASE("live viewer: hello, who holds control, and the newest picture") {
  Watched watched(ViewerRights{true, "csrf-1", "", "tester"});
  Person& person = watched.person;
  auto hello = person.message("hello");
  CHECK(std::string(hello["session"].GetString()) == "s");
  CHECK(hello["control"].GetBool());
  auto control = person.message("control");
  CHECK_FALSE(control["held"].GetBool());
  CHECK(control["mayTake"].GetBool());

  watched.session->publish(picture("first"));
  auto [opcode, bytes] = person.frame();
  CHECK(opcode == 2);
  CHECK(bytes == "first");

  person.send(1, R"({"type":"take"})");
  CHECK(std::string(person.message("error")["message"].GetString()).find("CSRF") !=
        std::string::npos);
  person.send(1, R"({"type":"take","csrf":"csrf-1","name":"Ann"})");
  control = person.message("control");
  CHECK(control["you"].GetBool());
  CHECK(std::string(control["by"].GetString()) == "Ann");
  std::uint64_t holder = 0;
  CHECK(watched.session->holder(&holder) == "Ann");
  CHECK(holder == 1);
  // Input needs a backend: the session here has none, and says so.
  person.send(1, R"({"type":"click","x":0.5,"y":0.5})");
  CHECK(std::string(person.message("error")["message"].GetString()).find("ended") !=
        std::string::npos);
  person.send(1, R"({"type":"release"})");
  CHECK_FALSE(person.message("control")["held"].GetBool());

  person.send(8, std::string("\x03\xe8", 2));
  CHECK(person.closeCode() == 1000);
  for (int i = 0; i < 100 && !watched.viewer->done(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(watched.viewer->done());
}

TEST_CASE("live viewer: a person who reads nothing gets only the newest picture later") {
  Watched watched(ViewerRights{false, "", "", "tester"});
  Person& person = watched.person;
  // Pictures far larger than the socket's buffers, published while nobody reads.
  for (int i = 0; i < 40; ++i)
    watched.session->publish(picture(std::string(512 * 1024, static_cast<char>('a' + i % 26))));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  watched.session->publish(picture("newest"));
  // The viewer holds at most the picture it is sending; then comes the newest, none between.
  bool sawNewest = false;
  int pictures = 0;
  for (int i = 0; i < 10 && !sawNewest; ++i) {
    auto [opcode, bytes] = person.frame();
    if (opcode != 2)
      continue;
    ++pictures;
    sawNewest = bytes == "newest";
  }
  CHECK(sawNewest);
  CHECK(pictures <= 2);
  person.send(1, R"({"type":"take"})");
  CHECK(std::string(person.message("error")["message"].GetString()).find("watch only") !=
        std::string::npos);
}

TEST_CASE("live viewer: what a client may not send closes the view with the right code") {
  struct Case {
    unsigned opcode;
    std::string payload;
    bool masked;
    int code;
  };
  for (const Case& bad : {Case{1, "{}", false, 1002}, Case{2, "bin", true, 1003}}) {
    Watched watched(ViewerRights{true, "", "", "tester"});
    watched.person.message("hello");
    watched.person.send(bad.opcode, bad.payload, bad.masked);
    CHECK(watched.person.closeCode() == bad.code);
  }
  Watched ended(ViewerRights{true, "", "", "tester"});
  ended.person.message("hello");
  ended.session->end();
  CHECK(ended.person.closeCode() == 1000);
  Watched stopped(ViewerRights{true, "", "", "tester"});
  stopped.person.message("hello");
  stopped.viewer->stop();
  CHECK(stopped.person.closeCode() == 1001);
}

TEST_CASE("live viewer: a link viewer must say hello with a secret the host knows") {
  int pair[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
  Person person{UniqueFd(pair[1])};
  auto session = std::make_shared<LiveSession>(std::weak_ptr<Session>(), "linked");
  std::atomic<bool> linkValid{true};
  LiveViewer viewer(
      7,
      [&](const std::string& secret, std::shared_ptr<LiveSession>* out, ViewerRights* rights) {
        if (secret != "right")
          return Status(ErrorCode::InvalidArgument, "unknown link");
        *out = session;
        rights->control = false;
        rights->linkId = "l1";
        return Status::ok();
      },
      [&](const std::string&) { return linkValid.load(); }, UniqueFd(pair[0]));
  person.send(1, R"({"type":"hello","link":"right"})");
  CHECK(std::string(person.message("hello")["session"].GetString()) == "linked");
  CHECK(viewer.sessionId() == "linked");
  linkValid.store(false); // revoked
  CHECK(person.closeCode() == 1008);

  int again[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, again) == 0);
  Person stranger{UniqueFd(again[1])};
  LiveViewer refused(
      8,
      [&](const std::string&, std::shared_ptr<LiveSession>*, ViewerRights*) {
        return Status(ErrorCode::InvalidArgument, "unknown link");
      },
      [](const std::string&) { return true; }, UniqueFd(again[0]));
  stranger.send(1, R"({"type":"hello","link":"wrong"})");
  CHECK(stranger.closeCode() == 1008);
}

TEST_CASE("live viewer: a person is told why no picture comes, once per reason") {
  Watched watched(ViewerRights{false, "", "", "tester"});
  watched.person.message("hello");
  watched.session->setProblem("the browser's DevTools refused");
  CHECK(std::string(watched.person.message("error")["message"].GetString()) ==
        "no picture of the page: the browser's DevTools refused");
  watched.session->publish(picture("at last")); // a picture clears the problem
  auto [opcode, bytes] = watched.person.frame();
  while (opcode != 2)
    std::tie(opcode, bytes) = watched.person.frame();
  CHECK(bytes == "at last");
  CHECK(watched.session->problem().empty());
}
