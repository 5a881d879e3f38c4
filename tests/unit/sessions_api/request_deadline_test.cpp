// One deadline per sessions-API request: what is left, sleeps cut short by it, and a client
// that hung up.
#include "sessions_api/request_deadline.h"

#include <atomic>
#include <doctest/doctest.h>

using namespace wdh;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

TEST_CASE("request deadline: time left, and the timeout it ends with") {
  // A budget no stall of this machine uses up.
  RequestDeadline roomy(std::chrono::hours(1), {});
  CHECK(roomy.check().isOk());
  CHECK(roomy.left() <= std::chrono::hours(1));
  CHECK(roomy.left() > milliseconds(0));
  CHECK(roomy.budget() == std::chrono::hours(1));
  auto began = Clock::now();
  CHECK(roomy.sleep(milliseconds(50)).isOk());
  CHECK(Clock::now() - began >= milliseconds(50)); // a lower bound: load cannot break it

  // A sleep longer than what is left ends at the deadline, with its timeout (one that were not
  // cut short would hold this test for a day, past ctest's timeout).
  RequestDeadline deadline(milliseconds(300), {});
  CHECK(deadline.budget() == milliseconds(300));
  began = Clock::now();
  Status late = deadline.sleep(std::chrono::hours(24));
  CHECK(late.code() == ErrorCode::Timeout);
  CHECK(late.message().find("timeout of 300 ms") != std::string::npos);
  CHECK(Clock::now() - began >= milliseconds(300) - milliseconds(1));
  CHECK(deadline.left() == milliseconds(0));
  CHECK(deadline.check().code() == ErrorCode::Timeout);
  CHECK(deadline.sleep(milliseconds(0)).code() == ErrorCode::Timeout);
}

TEST_CASE("request deadline: a client that hung up ends a sleep within a poll") {
  std::atomic<bool> gone{false};
  RequestDeadline deadline(milliseconds(60000), [&] { return gone.load(); });
  CHECK(deadline.check().isOk());
  gone = true;
  // Ended by the client's hang-up, not by the deadline: the status says which.
  Status status = deadline.sleep(milliseconds(30000));
  CHECK(status.code() == ErrorCode::UnknownError);
  CHECK(status.message().find("client closed its connection") != std::string::npos);
}
