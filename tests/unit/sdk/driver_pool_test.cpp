// DriverPool against a stub host: ready drivers are handed to launches, dead ones are never
// handed out, and ending a dead driver (which may take seconds) does not hold up a launch.
#include "stub_host.h"

#include <atomic>
#include <condition_variable>
#include <doctest/doctest.h>
#include <future>
#include <thread>
#include <wdhost/driver_pool.hpp>

namespace {

using wdhtest::StubHost;

// Waits (at most 20 s) until `done` says so.
template <class Done>
bool eventually(Done done) {
  for (int i = 0; i < 2000 && !done(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return done();
}

wdhost::StartedDriver startStub(const wdhost::Host& host) {
  wdhost::StartedDriver driver;
  driver.process = std::make_unique<wdhost::ChildProcess>(
      host, std::vector<std::string>{"/usr/bin/stubdriver"}, std::vector<std::string>{}, "");
  driver.url = "http://127.0.0.1:1";
  return driver;
}

} // namespace

TEST_CASE("driver pool: a ready driver goes to one launch, a dead one to none") {
  StubHost host;
  wdhost::Host view(host.table());
  wdhost::DriverPool pool(view, [&view] { return startStub(view); });
  pool.setTarget(1);
  REQUIRE(eventually([&] { return host.snapshot().size() == 1; }));
  std::optional<wdhost::StartedDriver> taken;
  REQUIRE(eventually([&] {
    wdhost::DriverPool::Lease lease = pool.lease();
    if (lease.driver)
      taken = std::move(lease.driver);
    return taken.has_value();
  }));
  CHECK(taken->url == "http://127.0.0.1:1");
  taken.reset();

  // The refill is started, then dies before a launch takes it.
  REQUIRE(eventually([&] { return host.snapshot().size() == 2; }));
  host.exit(2, 1);
  CHECK_FALSE(pool.take().has_value());
  pool.setTarget(0);
}

TEST_CASE("driver pool: a dead driver is ended without holding up a launch (T6)") {
  StubHost host;
  wdhost::Host view(host.table());
  std::mutex mutex;
  std::condition_variable released;
  bool release = false;
  std::atomic<bool> terminating{false};
  // Ending process 1 blocks until the test lets it go, as a tree that takes its grace would.
  host.onTerminate = [&](uint64_t id) {
    if (id != 1)
      return;
    terminating = true;
    std::unique_lock<std::mutex> lock(mutex);
    released.wait_for(lock, std::chrono::seconds(20), [&] { return release; });
  };
  {
    wdhost::DriverPool pool(view, [&view] { return startStub(view); });
    pool.setTarget(1);
    REQUIRE(eventually([&] { return host.snapshot().size() == 1; }));
    host.exit(1, 1); // it died while idle
    // The first take finds it dead and hands it to the pool's thread to end.
    REQUIRE(eventually([&] {
      pool.take();
      return terminating.load();
    }));
    // While that thread ends it, a launch still gets its answer at once.
    auto launch = std::async(std::launch::async, [&pool] { return pool.take(); });
    bool answered = launch.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
    {
      std::lock_guard<std::mutex> lock(mutex);
      release = true;
    }
    released.notify_all();
    CHECK(answered);
    launch.wait();
  }
  CHECK(host.snapshot().at(1).terminated);
}
