// Session slots: the host-wide and per-plugin limits, the FIFO queue, giving up, and closing.
#include "session/slot_pool.h"

#include <atomic>
#include <chrono>
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
    if (pool.acquire("chrome", 5s, kStays, &slot).isOk()) {
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
