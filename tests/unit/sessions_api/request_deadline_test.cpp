// One deadline per sessions-API request: what is left, sleeps cut short by it, and a client
// that hung up.
#include "sessions_api/request_deadline.h"

#include <atomic>
#include <doctest/doctest.h>

using namespace wdh;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

TEST_CASE("request deadline: time left, and the timeout it ends with") {
  RequestDeadline deadline(milliseconds(300), {});
  CHECK(deadline.check().isOk());
  CHECK(deadline.left() <= milliseconds(300));
  CHECK(deadline.left() > milliseconds(200));
  CHECK(deadline.budget() == milliseconds(300));

  auto began = Clock::now();
  CHECK(deadline.sleep(milliseconds(50)).isOk());
  CHECK(Clock::now() - began >= milliseconds(50));
  // A sleep longer than what is left ends at the deadline, with its timeout.
  Status late = deadline.sleep(milliseconds(100000));
  CHECK(late.code() == ErrorCode::Timeout);
  CHECK(late.message().find("timeout of 300 ms") != std::string::npos);
  CHECK(Clock::now() - began < milliseconds(1500));
  CHECK(deadline.left() == milliseconds(0));
  CHECK(deadline.check().code() == ErrorCode::Timeout);
  CHECK(deadline.sleep(milliseconds(0)).code() == ErrorCode::Timeout);
}

TEST_CASE("request deadline: a client that hung up ends a sleep within a poll") {
  std::atomic<bool> gone{false};
  RequestDeadline deadline(milliseconds(60000), [&] { return gone.load(); });
  CHECK(deadline.check().isOk());
  gone = true;
  auto began = Clock::now();
  Status status = deadline.sleep(milliseconds(30000));
  CHECK(status.code() == ErrorCode::UnknownError);
  CHECK(status.message().find("client closed its connection") != std::string::npos);
  CHECK(Clock::now() - began < milliseconds(1000));
}
