// Session slots: the host-wide and per-plugin limits, the FIFO queue, giving up, and closing.
#include "session/slot_pool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <doctest/doctest.h>
#include <mutex>
#include <thread>
#include <vector>

using namespace wdh;
using namespace std::chrono_literals;

namespace {

const std::function<bool()> kStays = [] { return false; };

// Waits (bounded) until `pool` has `count` queued requests.
bool queuedWithin(const SlotPool& pool, std::size_t count) {
  for (int i = 0; i < 200; ++i) {
    if (pool.queued() == count)
      return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

} // namespace

TEST_CASE("slot pool: the host limit and a plugin's own limit") {
  SlotPool pool(2, {{"firefox", 1}});
  Slot a, b, c;
  CHECK(pool.acquire("firefox", 0ms, kStays, &a).isOk());
  CHECK_FALSE(pool.hasFreeSlot("firefox"));
  CHECK(pool.hasFreeSlot("chrome"));
  Status full = pool.acquire("firefox", 0ms, kStays, &b);
  CHECK(full.code() == ErrorCode::SessionNotCreated);
  CHECK(full.message().find("firefox") != std::string::npos);
  CHECK(pool.acquire("chrome", 0ms, kStays, &b).isOk());
  CHECK(pool.inUse() == 2);
  CHECK(pool.acquire("chrome", 0ms, kStays, &c).code() == ErrorCode::SessionNotCreated);
  a.release();
  CHECK(pool.inUse() == 1);
  CHECK(pool.acquire("firefox", 0ms, kStays, &c).isOk());
}

TEST_CASE("slot pool: waiters get slots first come, first served") {
  SlotPool pool(1, {});
  Slot held;
  REQUIRE(pool.acquire("chrome", 0ms, kStays, &held).isOk());
  std::vector<int> order;
  std::mutex mutex;
  auto wait = [&](int who) {
    Slot slot;
    if (pool.acquire("chrome", 60s, kStays, &slot).isOk()) {
      std::lock_guard<std::mutex> lock(mutex);
      order.push_back(who);
    }
    std::this_thread::sleep_for(20ms);
  };
  std::thread first(wait, 1);
  REQUIRE(queuedWithin(pool, 1));
  std::thread second(wait, 2);
  REQUIRE(queuedWithin(pool, 2));
  held.release();
  first.join();
  second.join();
  CHECK(order == std::vector<int>{1, 2});
  CHECK(pool.inUse() == 0);
}

TEST_CASE("slot pool: a waiter gives up on its timeout or when its client leaves") {
  SlotPool pool(1, {});
  Slot held, late;
  REQUIRE(pool.acquire("chrome", 0ms, kStays, &held).isOk());
  auto started = std::chrono::steady_clock::now();
  Status timedOut = pool.acquire("chrome", 100ms, kStays, &late);
  CHECK(timedOut.code() == ErrorCode::SessionNotCreated);
  CHECK(std::chrono::steady_clock::now() - started >= 100ms);
  std::atomic<bool> gone{false};
  std::thread leave([&] {
    std::this_thread::sleep_for(50ms);
    gone = true;
  });
  Status left = pool.acquire(
      "chrome", 10s, [&] { return gone.load(); }, &late);
  leave.join();
  CHECK_FALSE(left.isOk());
  CHECK(pool.queued() == 0);
}

TEST_CASE("slot pool: closing refuses the queue and every later request, with the reason") {
  SlotPool pool(1, {});
  Slot held;
  REQUIRE(pool.acquire("chrome", 0ms, kStays, &held).isOk());
  Status queued;
  std::thread waiter([&] {
    Slot slot;
    queued = pool.acquire("chrome", 10s, kStays, &slot);
  });
  REQUIRE(queuedWithin(pool, 1));
  pool.close("draining");
  waiter.join();
  CHECK(queued.message().find("draining") != std::string::npos);
  Slot later;
  held.release();
  CHECK(pool.acquire("chrome", 0ms, kStays, &later).message().find("draining") !=
        std::string::npos);
}

TEST_CASE("slot pool: a queued request holds no thread; it is told on the thread freeing a slot") {
  SlotPool pool(1, {});
  Slot held;
  REQUIRE(pool.acquire("chrome", 0ms, kStays, &held).isOk());
  std::vector<Slot> granted;
  std::vector<std::thread::id> where;
  for (int i = 0; i < 3; ++i)
    pool.acquireAsync("chrome", SlotWait{10s, 0ms}, kStays, [&](Status status, Slot slot) {
      CHECK(status.isOk());
      where.push_back(std::this_thread::get_id());
      granted.push_back(std::move(slot));
    });
  CHECK(pool.queued() == 3); // and this thread went on
  held.release();
  REQUIRE(granted.size() == 1);
  CHECK((where.front() == std::this_thread::get_id()));
  // Freeing a slot grants the next waiter at once, on this thread, which adds to `granted`:
  // never while `granted` itself is being cleared.
  auto freeGranted = [&] { std::vector<Slot>(std::move(granted)).clear(); };
  freeGranted(); // frees it: the next waiter gets it, in order
  CHECK(granted.size() == 1);
  CHECK(pool.queued() == 1);
  freeGranted();
  freeGranted();
  CHECK(pool.queued() == 0);
  CHECK(pool.inUse() == 0);
}

TEST_CASE("slot pool: --max-queue refuses at once past its bound") {
  SlotPool pool(1, {}, 2);
  Slot held;
  REQUIRE(pool.acquire("chrome", 0ms, kStays, &held).isOk());
  std::vector<Status> told;
  for (int i = 0; i < 3; ++i)
    pool.acquireAsync("chrome", SlotWait{10s, 0ms}, kStays,
                      [&](Status status, Slot) { told.push_back(status); });
  REQUIRE(told.size() == 1);
  CHECK(told.front().message().find("--max-queue") != std::string::npos);
  pool.close("shutting down");
  CHECK(told.size() == 3);
}

TEST_CASE("slot pool: without a queue, a request waits only for a slot on its way back") {
  SlotPool pool(1, {});
  Slot held;
  REQUIRE(pool.acquire("chrome", 0ms, kStays, &held).isOk());
  Slot refused;
  CHECK(pool.acquire("chrome", 0ms, kStays, &refused).message().find("--no-queue") !=
        std::string::npos);
  held.markReturning(); // its session's teardown has begun
  std::thread teardown([&] {
    std::this_thread::sleep_for(50ms);
    held.release();
  });
  Status got;
  Slot next;
  std::mutex mutex;
  std::condition_variable told;
  bool done = false;
  pool.acquireAsync("chrome", SlotWait{0ms, 60s}, kStays, [&](Status status, Slot slot) {
    std::lock_guard<std::mutex> lock(mutex);
    got = status;
    next = std::move(slot);
    done = true;
    told.notify_all();
  });
  {
    std::unique_lock<std::mutex> lock(mutex);
    REQUIRE(told.wait_for(lock, 60s, [&] { return done; }));
  }
  teardown.join();
  CHECK(got.isOk());
  CHECK(static_cast<bool>(next));
  // No slot on its way back: refused at once, as before.
  Slot again;
  CHECK_FALSE(pool.acquire("chrome", 0ms, kStays, &again).isOk());
  next.release();
}
