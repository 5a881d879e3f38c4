// Browsers started ahead: one launch per configuration at a time and at most `limit` in all, a
// ready browser handed to one taker only, idle ones taken by age, and a closed pool that takes no
// launch and hands back what finishes. The pool only keeps records: no browser starts here.
#include "session/warm_pool.h"

#include <atomic>
#include <doctest/doctest.h>
#include <future>
#include <thread>

using namespace wdh;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<WarmBrowser> browser(const std::string& key, const std::string& id,
                                     Clock::time_point ready = Clock::now()) {
  auto made = std::make_unique<WarmBrowser>();
  made->key = key;
  made->placeholderId = id;
  made->ready = ready;
  return made;
}

// Books and ends a launch of `key` that gives browser `id`.
void addReady(WarmPool& pool, const std::string& key, const std::string& id,
              Clock::time_point ready = Clock::now()) {
  REQUIRE(pool.beginLaunch(key, 10));
  REQUIRE(pool.endLaunch(key, browser(key, id, ready)) == nullptr);
}

} // namespace

TEST_CASE("warm pool: one launch per configuration, within the limit") {
  WarmPool pool;
  CHECK(pool.beginLaunch("chrome|a", 2));
  CHECK_FALSE(pool.beginLaunch("chrome|a", 2)); // already starting
  CHECK(pool.starting() == 1);
  CHECK(pool.beginLaunch("chrome|b", 2));
  CHECK_FALSE(pool.beginLaunch("chrome|c", 2)); // two starting: the limit
  CHECK(pool.endLaunch("chrome|a", browser("chrome|a", "warm-1")) == nullptr);
  CHECK(pool.ready() == 1);
  CHECK(pool.starting() == 1);
  CHECK_FALSE(pool.beginLaunch("chrome|a", 5)); // one is ready for it
  CHECK_FALSE(pool.beginLaunch("chrome|c", 2)); // one ready + one starting: still the limit
  // A launch that failed frees its place.
  CHECK(pool.endLaunch("chrome|b", nullptr) == nullptr);
  CHECK(pool.starting() == 0);
  CHECK(pool.ready() == 1);
  CHECK(pool.beginLaunch("chrome|c", 2));
}

TEST_CASE("warm pool: a ready browser goes to one taker of its configuration, oldest first") {
  WarmPool pool;
  auto now = Clock::now();
  addReady(pool, "k1", "warm-old", now - 10s);
  addReady(pool, "k2", "warm-other", now - 5s);
  CHECK(pool.take("k3") == nullptr);
  auto taken = pool.take("k1");
  REQUIRE(taken != nullptr);
  CHECK(taken->placeholderId == "warm-old");
  CHECK(pool.take("k1") == nullptr); // never to two
  addReady(pool, "k1", "warm-new", now);
  auto oldest = pool.takeOldest(); // any configuration: the one ready longest
  REQUIRE(oldest != nullptr);
  CHECK(oldest->placeholderId == "warm-other");
  CHECK(pool.takeOldest()->placeholderId == "warm-new");
  CHECK(pool.takeOldest() == nullptr);
}

TEST_CASE("warm pool: takeIdle takes those ready for at least the idle time") {
  WarmPool pool;
  auto now = Clock::now();
  addReady(pool, "k1", "warm-idle", now - 61s);
  addReady(pool, "k2", "warm-exact", now - 60s);
  addReady(pool, "k3", "warm-fresh", now - 59s);
  auto idle = pool.takeIdle(now, 60s);
  REQUIRE(idle.size() == 2);
  CHECK(idle[0]->placeholderId == "warm-idle");
  CHECK(idle[1]->placeholderId == "warm-exact");
  CHECK(pool.ready() == 1);
  CHECK(pool.take("k3") != nullptr);
}

TEST_CASE("warm pool: takeOrWait waits for a browser of its configuration still starting") {
  WarmPool pool;
  // The launch waited for is told to stop yielding, once per wait: the waiter says so first.
  std::atomic<int> hurried{0};
  std::promise<void> waiting;
  pool.onWait([&] {
    if (++hurried == 1)
      waiting.set_value();
  });
  // Nothing starting for the key: no wait, however long the timeout.
  CHECK(pool.takeOrWait("k", 1h) == nullptr);
  CHECK(hurried == 0);
  REQUIRE(pool.beginLaunch("k", 1));
  auto taker = std::async(std::launch::async, [&] { return pool.takeOrWait("k", 60s); });
  REQUIRE(waiting.get_future().wait_for(60s) == std::future_status::ready);
  // The launch ends on another thread while the taker waits; the taker gets its browser.
  REQUIRE(pool.endLaunch("k", browser("k", "warm-late")) == nullptr);
  REQUIRE(taker.wait_for(60s) == std::future_status::ready);
  auto got = taker.get();
  REQUIRE(got != nullptr);
  CHECK(got->placeholderId == "warm-late");
  CHECK(pool.ready() == 0);
  CHECK(hurried == 1);
  // A launch of another configuration does not hold up this one.
  REQUIRE(pool.beginLaunch("other", 2));
  CHECK(pool.takeOrWait("k", 1h) == nullptr);
  CHECK_FALSE(pool.waitForLaunches(0ms));
  auto launches = std::async(std::launch::async, [&] { return pool.waitForLaunches(60s); });
  REQUIRE(pool.endLaunch("other", nullptr) == nullptr);
  CHECK(launches.get());
  CHECK(pool.waitForLaunches(0ms));
}

TEST_CASE("warm pool: closing takes every browser, refuses launches, and hands back late ones") {
  WarmPool pool;
  addReady(pool, "k1", "warm-1");
  REQUIRE(pool.beginLaunch("k2", 10));
  auto closed = pool.close();
  REQUIRE(closed.size() == 1);
  CHECK(closed[0]->placeholderId == "warm-1");
  CHECK(pool.ready() == 0);
  CHECK_FALSE(pool.beginLaunch("k3", 10));
  // The launch under way finishes after the close: its browser comes back to be torn down.
  auto late = pool.endLaunch("k2", browser("k2", "warm-2"));
  REQUIRE(late != nullptr);
  CHECK(late->placeholderId == "warm-2");
  CHECK(pool.ready() == 0);
  CHECK(pool.starting() == 0);
}
