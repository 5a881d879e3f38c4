// wdhost::Deadline: the host's call context as a value, and the plain deadlines a plugin makes.
#include <atomic>
#include <doctest/doctest.h>
#include <wdhost/deadline.hpp>

namespace {

std::atomic<int> gCancelled{0};

int32_t WDHOST_CALL cancelledFlag(const wdhost_call_context*) {
  return gCancelled.load();
}

} // namespace

TEST_CASE("deadline: none is unbounded and never expires") {
  wdhost::Deadline none;
  CHECK_FALSE(none.bounded());
  CHECK_FALSE(none.expired());
  CHECK(none.remainingMs() == UINT32_MAX);
  CHECK(none.clamp(1234) == 1234);
  CHECK(none.why().empty());
  CHECK(none.context() == nullptr);
  CHECK_FALSE(wdhost::Deadline::of(nullptr).bounded());
}

TEST_CASE("deadline: in() and within() bound, the earlier one wins") {
  wdhost::Deadline minute = wdhost::Deadline::in(60000);
  CHECK(minute.bounded());
  CHECK_FALSE(minute.expired());
  CHECK(minute.remainingMs() <= 60000);
  CHECK(minute.remainingMs() > 50000);
  CHECK(minute.clamp(100) == 100);
  CHECK(minute.within(60000000).atMs() == minute.atMs()); // later: the minute stays
  CHECK(minute.within(10).atMs() < minute.atMs());        // earlier: it wins
  CHECK(wdhost::Deadline().within(5000).bounded());

  wdhost::Deadline past = wdhost::Deadline::in(0);
  CHECK(past.expired());
  CHECK(past.passed());
  CHECK(past.remainingMs() == 0);
  CHECK(past.clamp(100) == 0);
  CHECK(past.why().find("deadline") != std::string::npos);
}

TEST_CASE("deadline: of(context) reads the host's deadline and is_cancelled, within struct_size") {
  wdhost_call_context context{};
  context.struct_size = sizeof context;
  context.deadline_ms = wdhost::monotonicMs() + 60000;
  context.is_cancelled = &cancelledFlag;
  gCancelled = 0;
  wdhost::Deadline deadline = wdhost::Deadline::of(&context);
  CHECK(deadline.atMs() == context.deadline_ms);
  CHECK(deadline.context() == &context);
  CHECK_FALSE(deadline.expired());
  gCancelled = 1;
  CHECK(deadline.cancelled());
  CHECK(deadline.expired());
  CHECK_FALSE(deadline.passed());
  CHECK(deadline.remainingMs() == 0);
  CHECK(deadline.why() == "the host cancelled the call");
  // within() keeps the cancellation.
  CHECK(deadline.within(1000000).cancelled());

  // A context shorter than is_cancelled: the deadline only; shorter still: nothing.
  context.struct_size = offsetof(wdhost_call_context, host_data);
  wdhost::Deadline older = wdhost::Deadline::of(&context);
  CHECK(older.bounded());
  CHECK_FALSE(older.cancelled());
  context.struct_size = 8;
  CHECK_FALSE(wdhost::Deadline::of(&context).bounded());
  // No is_cancelled function: never cancelled.
  context.struct_size = sizeof context;
  context.is_cancelled = nullptr;
  CHECK_FALSE(wdhost::Deadline::of(&context).cancelled());
}
