// The relay's upstream client against loopback servers that misbehave.
#include "relay/upstream.h"
#include "support/loopback_listener.h"

#include <atomic>
#include <chrono>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace wdh;

namespace {

// A loopback listener on a port the OS picks; accepts connections and never answers.
using SilentServer = wdhtest::LoopbackListener;

} // namespace

TEST_CASE("upstream: a driver that stops answering is an unknown error after the bounded wait") {
  SilentServer server;
  std::unique_ptr<Upstream> upstream;
  REQUIRE(Upstream::create("http://127.0.0.1:" + std::to_string(server.port()) + "/session/x",
                           &upstream)
              .isOk());
  RelayResponse response;
  Status status = upstream->send("GET", "/url", "", std::chrono::milliseconds(300), &response);
  // Ended by its own bound, which the message names.
  CHECK(status.code() == ErrorCode::UnknownError);
  CHECK(status.message().find("did not answer GET /session/x/url within 300 ms") !=
        std::string::npos);
}

TEST_CASE("upstream: a driver that is gone is an unknown error naming the cause") {
  int port = 0;
  {
    SilentServer closed;
    port = closed.port();
  }
  std::unique_ptr<Upstream> upstream;
  REQUIRE(Upstream::create("http://127.0.0.1:" + std::to_string(port) + "/session/y", &upstream)
              .isOk());
  RelayResponse response;
  Status status = upstream->send("GET", "/title", "", std::chrono::milliseconds(500), &response);
  CHECK(status.code() == ErrorCode::UnknownError);
  CHECK(status.message().find("failed") != std::string::npos);
}

TEST_CASE("upstream: only http://host:port URLs are accepted") {
  std::unique_ptr<Upstream> upstream;
  CHECK(Upstream::create("ftp://127.0.0.1:1/x", &upstream).code() == ErrorCode::InvalidArgument);
  CHECK(Upstream::create("not a url", &upstream).code() == ErrorCode::InvalidArgument);
  CHECK(Upstream::create("http://127.0.0.1:9515/session/abc/", &upstream).isOk());
}
