// One relayed command against a driver the test plays itself, step by step on the test's own
// thread (RelayCall is driven like the event loop drives it), so that every close happens at a
// known point: a keep-alive connection the driver closed while idle is resent once on a fresh
// one; a fresh connection that fails, a second failure, or a half-sent answer are not resent.
// "Not resent" is read from the listener's accept queue once the call is done: a connection the
// call opened is queued before its request could have been sent, so none can come later.
#include "http/socket_io.h"
#include "relay/relay_call.h"
#include "support/loopback_listener.h"

#include <doctest/doctest.h>
#include <future>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace wdh;
using namespace std::chrono_literals;

namespace {

const char* kAnswer = "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
                      "Content-Length: 14\r\n\r\n{\"value\":null}";

// The driver's side: a listener whose connections the test accepts and answers itself.
class Driver {
public:
  Driver() {
    REQUIRE(Upstream::create(
                "http://127.0.0.1:" + std::to_string(listener_.port()) + "/session/abc", &upstream_)
                .isOk());
  }
  ~Driver() {
    for (int fd : accepted_)
      close(fd);
  }
  Upstream* upstream() { return upstream_.get(); }

  // Accepts the next connection, waiting at most 30 s; -1 when none came.
  int accept() {
    pollfd wait{listener_.fd(), POLLIN, 0};
    if (poll(&wait, 1, 30000) != 1)
      return -1;
    return acceptNow();
  }
  // A connection already queued, or -1: never waits.
  int acceptNow() {
    pollfd queued{listener_.fd(), POLLIN, 0};
    if (poll(&queued, 1, 0) != 1)
      return -1;
    int fd = accept4(listener_.fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0)
      accepted_.push_back(fd);
    return fd;
  }
  // The request line of the next request on `fd` (read within 30 s), or "".
  static std::string requestLine(int fd) {
    std::string head, rest;
    if (!readHttpHead(fd, 65536, boundsIn(30s, -1), &head, &rest).isOk())
      return "";
    return head.substr(0, head.find("\r\n"));
  }
  static void answer(int fd, std::string_view bytes = kAnswer) {
    REQUIRE(sendAll(fd, bytes, {}, 30s) == 0);
  }

private:
  wdhtest::LoopbackListener listener_;
  std::unique_ptr<Upstream> upstream_;
  std::vector<int> accepted_;
};

// Drives `call` while it waits to connect or send (at most 30 s): the step after.
RelayCall::Step untilSent(RelayCall& call, RelayCall::Step step) {
  for (int round = 0; round < 300 && step == RelayCall::Step::WaitWritable; ++round) {
    pollfd wait{call.fd(), POLLOUT, 0};
    if (poll(&wait, 1, 100) == 1)
      step = call.onWritable();
  }
  return step;
}

// Starts `call` and drives it until its request is sent (the driver's listener takes the
// connection on its own): WaitReadable from then on, or Done when it failed.
RelayCall::Step begin(RelayCall& call) {
  return untilSent(call, call.start());
}

// Reads for `call` until it is done or must wait for the driver again (at most 30 s).
RelayCall::Step readUntilQuiet(RelayCall& call, RelayCall::Step step) {
  for (int round = 0; round < 300 && step != RelayCall::Step::Done; ++round) {
    if (step == RelayCall::Step::WaitWritable) {
      step = untilSent(call, step);
      continue;
    }
    pollfd wait{call.fd(), POLLIN, 0};
    if (poll(&wait, 1, 100) == 1)
      step = call.onReadable();
    else
      break;
  }
  return step;
}

// Waits until `call` is readable, then reads: for an answer the driver has sent in full.
RelayCall::Step readAnswer(RelayCall& call) {
  pollfd wait{call.fd(), POLLIN, 0};
  REQUIRE(poll(&wait, 1, 30000) == 1);
  RelayCall::Step step = RelayCall::Step::WaitReadable;
  for (int round = 0; round < 100 && step == RelayCall::Step::WaitReadable; ++round) {
    step = call.onReadable();
    if (step == RelayCall::Step::WaitReadable)
      REQUIRE(poll(&wait, 1, 30000) == 1);
  }
  return step;
}

// One command answered in full on a connection the driver keeps; returns its server side.
int answeredOnce(Driver& driver) {
  RelayCall call;
  call.prepare(driver.upstream(), "GET", "/url", "", 30s);
  REQUIRE(begin(call) == RelayCall::Step::WaitReadable);
  int connection = driver.accept();
  REQUIRE(connection >= 0);
  CHECK(Driver::requestLine(connection) == "GET /session/abc/url HTTP/1.1");
  Driver::answer(connection);
  REQUIRE(readAnswer(call) == RelayCall::Step::Done);
  REQUIRE(call.status().isOk());
  CHECK(call.response().status == 200);
  CHECK(call.response().body == "{\"value\":null}");
  call.settle(); // kept for the next command
  return connection;
}

// Starts a command that goes out on the idle connection the driver has just closed, and drives
// it until the call has opened a fresh connection (or is done); returns the driver's side of
// the fresh connection, or -1.
int startOnStaleConnection(Driver& driver, RelayCall& call, RelayCall::Step* step) {
  call.prepare(driver.upstream(), "POST", "/url", R"({"url":"about:blank"})", 30s);
  *step = begin(call);
  // The send may have succeeded into the dead connection: its end is read, then it is resent.
  for (int round = 0; round < 300 && *step == RelayCall::Step::WaitReadable; ++round) {
    int fresh = driver.acceptNow();
    if (fresh >= 0)
      return fresh;
    *step = readUntilQuiet(call, *step);
  }
  return driver.acceptNow();
}

} // namespace

TEST_CASE("relay call: a command and its answer, and the connection kept for the next one") {
  Driver driver;
  int connection = answeredOnce(driver);
  RelayCall second;
  second.prepare(driver.upstream(), "GET", "/title", "", 30s);
  REQUIRE(begin(second) == RelayCall::Step::WaitReadable);
  CHECK(Driver::requestLine(connection) == "GET /session/abc/title HTTP/1.1");
  Driver::answer(connection);
  CHECK(readAnswer(second) == RelayCall::Step::Done);
  CHECK(second.status().isOk());
  second.settle();
  CHECK(driver.acceptNow() < 0); // both went over the one connection
}

TEST_CASE("relay call: a kept connection the driver closed while idle is resent once, fresh") {
  Driver driver;
  int stale = answeredOnce(driver);
  close(stale); // the driver ends the idle keep-alive connection (its own idle timeout)
  RelayCall call;
  RelayCall::Step step;
  int fresh = startOnStaleConnection(driver, call, &step);
  REQUIRE(fresh >= 0);
  REQUIRE(step == RelayCall::Step::WaitReadable);
  CHECK(Driver::requestLine(fresh) == "POST /session/abc/url HTTP/1.1");
  Driver::answer(fresh);
  REQUIRE(readAnswer(call) == RelayCall::Step::Done);
  CHECK(call.status().isOk());
  CHECK(call.response().status == 200);
  call.settle();
  CHECK(driver.acceptNow() < 0); // exactly one fresh connection
}

TEST_CASE("relay call: the fresh connection failing too is the driver's answer: no third try") {
  Driver driver;
  close(answeredOnce(driver));
  RelayCall call;
  RelayCall::Step step;
  int fresh = startOnStaleConnection(driver, call, &step);
  REQUIRE(fresh >= 0);
  CHECK(Driver::requestLine(fresh) == "POST /session/abc/url HTTP/1.1");
  shutdown(fresh, SHUT_RDWR); // the driver drops this one as well, without an answer
  CHECK(readAnswer(call) == RelayCall::Step::Done);
  CHECK(call.status().code() == ErrorCode::UnknownError);
  CHECK(call.status().message().find("failed POST /session/abc/url") != std::string::npos);
  call.settle();
  CHECK(driver.acceptNow() < 0);
}

TEST_CASE("relay call: a fresh connection that fails is not resent") {
  Driver driver;
  RelayCall call;
  call.prepare(driver.upstream(), "GET", "/url", "", 30s);
  REQUIRE(begin(call) == RelayCall::Step::WaitReadable);
  int connection = driver.accept();
  REQUIRE(connection >= 0);
  CHECK(!Driver::requestLine(connection).empty());
  shutdown(connection, SHUT_RDWR);
  CHECK(readAnswer(call) == RelayCall::Step::Done);
  CHECK(call.status().code() == ErrorCode::UnknownError);
  call.settle();
  CHECK(driver.acceptNow() < 0);
}

TEST_CASE("relay call: an answer cut short on a kept connection is not resent") {
  Driver driver;
  int connection = answeredOnce(driver);
  RelayCall call;
  call.prepare(driver.upstream(), "GET", "/url", "", 30s);
  REQUIRE(begin(call) == RelayCall::Step::WaitReadable);
  CHECK(Driver::requestLine(connection) == "GET /session/abc/url HTTP/1.1");
  // The driver began to answer, so the command reached it: sending it again could run it twice.
  Driver::answer(connection, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"val");
  shutdown(connection, SHUT_RDWR);
  CHECK(readAnswer(call) == RelayCall::Step::Done);
  CHECK(call.status().code() == ErrorCode::UnknownError);
  call.settle();
  CHECK(driver.acceptNow() < 0);
}

TEST_CASE("relay call: expire and fail end the call naming the command") {
  Driver driver;
  RelayCall call;
  call.prepare(driver.upstream(), "GET", "/url", "", 1500ms);
  REQUIRE(begin(call) == RelayCall::Step::WaitReadable);
  CHECK(call.expire() == RelayCall::Step::Done);
  CHECK(call.status().code() == ErrorCode::UnknownError);
  CHECK(call.status().message().find("did not answer") != std::string::npos);
  call.settle();
  RelayCall failed;
  failed.prepare(driver.upstream(), "DELETE", "", "", 30s);
  REQUIRE(begin(failed) == RelayCall::Step::WaitReadable);
  CHECK(failed.fail("the host is stopping") == RelayCall::Step::Done);
  CHECK(failed.status().message().find("the host is stopping") != std::string::npos);
  failed.settle();
}

TEST_CASE("relay call: run() drives a call to its end on the calling thread") {
  Driver driver;
  auto served = std::async(std::launch::async, [&] {
    int connection = driver.accept();
    if (connection < 0)
      return std::string();
    std::string line = Driver::requestLine(connection);
    Driver::answer(connection);
    return line;
  });
  RelayCall call;
  call.prepare(driver.upstream(), "GET", "/url", "", 30s);
  RelayResponse out;
  CHECK(call.run(&out).isOk());
  CHECK(out.status == 200);
  CHECK(out.body == "{\"value\":null}");
  CHECK(served.get() == "GET /session/abc/url HTTP/1.1");
}

TEST_CASE("relay call: a driver that is gone fails at once, naming the cause") {
  int port = 0;
  {
    wdhtest::LoopbackListener gone;
    port = gone.port();
  }
  std::unique_ptr<Upstream> upstream;
  REQUIRE(Upstream::create("http://127.0.0.1:" + std::to_string(port) + "/session/x", &upstream)
              .isOk());
  RelayCall call;
  call.prepare(upstream.get(), "GET", "/url", "", 30s);
  CHECK(begin(call) == RelayCall::Step::Done);
  CHECK(call.status().code() == ErrorCode::UnknownError);
  CHECK(call.status().message().find("failed GET /session/x/url") != std::string::npos);
  call.settle();
  CHECK(call.fd() == -1);
}
