// The job executor: bounded threads for admitted work, refusal when full, work that must run.
#include "core/job_executor.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <doctest/doctest.h>
#include <mutex>
#include <vector>

using namespace wdh;
using namespace std::chrono_literals;

namespace {

// A gate jobs wait at until it opens.
struct Gate {
  std::mutex mutex;
  std::condition_variable changed;
  bool open = false;
  int waiting = 0;
  void pass() {
    std::unique_lock<std::mutex> lock(mutex);
    ++waiting;
    changed.notify_all();
    changed.wait(lock, [this] { return open; });
  }
  bool waitFor(int count) {
    std::unique_lock<std::mutex> lock(mutex);
    return changed.wait_for(lock, 10s, [&] { return waiting >= count; });
  }
  void release() {
    std::lock_guard<std::mutex> lock(mutex);
    open = true;
    changed.notify_all();
  }
};

} // namespace

TEST_CASE("jobs: at most maxThreads run, and the next is refused at once and kept") {
  JobExecutor jobs(2, 0);
  Gate gate;
  std::atomic<int> done{0};
  for (int i = 0; i < 2; ++i) {
    JobExecutor::Job job = [&] {
      gate.pass();
      ++done;
    };
    REQUIRE(jobs.trySubmit(job));
  }
  REQUIRE(gate.waitFor(2));
  CHECK(jobs.busy() == 2);
  bool ran = false;
  JobExecutor::Job third = [&ran] { ran = true; };
  CHECK_FALSE(jobs.trySubmit(third));
  CHECK(static_cast<bool>(third)); // handed back untouched
  // Work admitted earlier runs even so.
  std::atomic<bool> forced{false};
  jobs.submit([&forced] { forced = true; });
  for (int i = 0; i < 6000 && !forced; ++i) // polled, within 30 s
    std::this_thread::sleep_for(5ms);
  CHECK(forced);
  gate.release();
  jobs.stop();
  CHECK(done == 2);
  CHECK_FALSE(ran);
  // Stopped: nothing new is taken; admitted work runs on the caller.
  JobExecutor::Job late = [] {};
  CHECK_FALSE(jobs.trySubmit(late));
  bool inline_ = false;
  jobs.submit([&inline_] { inline_ = true; });
  CHECK(inline_);
}

TEST_CASE("jobs: idle threads end, and threads come back for new work") {
  JobExecutor jobs(4, 0, 50ms);
  std::atomic<int> done{0};
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 4; ++i) {
      JobExecutor::Job job = [&done] { ++done; };
      CHECK(jobs.trySubmit(job));
    }
    std::this_thread::sleep_for(120ms);
  }
  jobs.stop();
  CHECK(done == 12);
  CHECK(jobs.busy() == 0);
}

TEST_CASE("jobs: past maxThreads, jobs wait in a bounded backlog, first come first served") {
  JobExecutor jobs(1, 2);
  Gate gate;
  std::vector<int> order;
  std::mutex orderMutex;
  JobExecutor::Job first = [&] { gate.pass(); };
  REQUIRE(jobs.trySubmit(first));
  REQUIRE(gate.waitFor(1));
  for (int i = 1; i <= 2; ++i) {
    JobExecutor::Job waiting = [&, i] {
      std::lock_guard<std::mutex> lock(orderMutex);
      order.push_back(i);
    };
    CHECK(jobs.trySubmit(waiting));
  }
  JobExecutor::Job overflow = [] {};
  CHECK_FALSE(jobs.trySubmit(overflow)); // the backlog is full
  CHECK(jobs.busy() == 3);
  gate.release();
  jobs.stop();
  CHECK(order == std::vector<int>{1, 2});
}
