// Plugins' launches on threads the host owns, with the fake fixture plugin: the call context
// reaches the plugin (its deadline, its cancellation), a launch past its wait is given up on
// and cleaned up when it returns, and stop() never waits past its bound.
#include "plugin/call_context.h"
#include "plugin/launch_threads.h"
#include "plugin/loaded_plugin.h"

#include <atomic>
#include <doctest/doctest.h>
#include <mutex>
#include <thread>
#include <vector>

using namespace wdh;
using std::chrono::milliseconds;

namespace {

std::shared_ptr<LoadedPlugin> fakePlugin() {
  std::unique_ptr<LoadedPlugin> plugin;
  REQUIRE(LoadedPlugin::open(std::string(WDHOST_FIXTURE_DIR) + "/fake_plugin.so", &plugin).isOk());
  REQUIRE(plugin->initialise("{}", HostServices{}).isOk());
  return std::shared_ptr<LoadedPlugin>(std::move(plugin));
}

// Waits (at most 20 s) until `done` says so.
template <class Done>
bool eventually(Done done) {
  for (int i = 0; i < 2000 && !done(); ++i)
    std::this_thread::sleep_for(milliseconds(10));
  return done();
}

} // namespace

TEST_CASE("call context: the C struct says the deadline, and is_cancelled follows cancel()") {
  CallContext none(milliseconds(0));
  const wdhost_call_context* table = none.table();
  CHECK(table->struct_size == sizeof(wdhost_call_context));
  CHECK(table->deadline_ms == 0);
  CHECK(table->is_cancelled(table) == 0);
  CHECK(none.deadline() == std::chrono::steady_clock::time_point::max());
  none.cancel();
  CHECK(table->is_cancelled(table) == 1);
  CHECK(isCancelled(table));

  CallContext bounded(milliseconds(60000));
  std::uint64_t now = monotonicMs();
  CHECK(bounded.table()->deadline_ms > now + 50000);
  CHECK(bounded.table()->deadline_ms <= now + 60000);
  CHECK(deadlineOf(bounded.table()) > std::chrono::steady_clock::now() + std::chrono::seconds(50));
  CHECK_FALSE(isCancelled(bounded.table()));

  // What a plugin hands back is read within its struct_size only; NULL has nothing.
  CHECK_FALSE(isCancelled(nullptr));
  CHECK(deadlineOf(nullptr) == std::chrono::steady_clock::time_point::max());
  wdhost_call_context shortOne = *bounded.table();
  shortOne.struct_size = 8;
  CHECK(deadlineOf(&shortOne) == std::chrono::steady_clock::time_point::max());
  CHECK_FALSE(isCancelled(&shortOne));
}

TEST_CASE("launch threads: the plugin is told its deadline and ends with its own error") {
  LaunchThreads threads([](const std::string&) {});
  std::shared_ptr<LoadedPlugin> plugin = fakePlugin();
  REQUIRE(plugin->takesContext());
  bool timedOut = true;
  // The plugin's deadline comes first; the host waits long enough for its answer.
  LaunchOutcome outcome =
      threads.launch(plugin, "id-1", R"({"fake:waitForDeadline":true})",
                     LaunchBounds{milliseconds(100), milliseconds(30000)}, &timedOut);
  CHECK_FALSE(timedOut);
  CHECK(outcome.status.code() == ErrorCode::SessionNotCreated);
  CHECK(outcome.status.message().find("fake stopped waiting: the host's deadline") !=
        std::string::npos);
  CHECK(threads.stop(std::chrono::seconds(10)) == 0);
}

TEST_CASE("launch threads: a launch that outlives its wait is cancelled, then cleaned up") {
  std::mutex mutex;
  std::vector<std::string> cleaned;
  LaunchThreads threads([&](const std::string& id) {
    std::lock_guard<std::mutex> lock(mutex);
    cleaned.push_back(id);
  });
  std::shared_ptr<LoadedPlugin> plugin = fakePlugin();
  bool timedOut = false;
  // It honours cancellation: the host gives up at once, the plugin stops soon after.
  LaunchOutcome outcome =
      threads.launch(plugin, "id-2", R"({"fake:waitForDeadline":true})",
                     LaunchBounds{milliseconds(600000), milliseconds(50)}, &timedOut);
  CHECK(timedOut);
  CHECK(outcome.status.code() == ErrorCode::SessionNotCreated);
  CHECK(eventually([&] {
    std::lock_guard<std::mutex> lock(mutex);
    return cleaned == std::vector<std::string>{"id-2"};
  }));
  CHECK(eventually([&] { return threads.running() == 0; }));

  // One that ignores it returns a session later: torn down and cleaned up then.
  outcome = threads.launch(plugin, "id-3", R"({"fake:hangMs":"300"})",
                           LaunchBounds{milliseconds(10), milliseconds(20)}, &timedOut);
  CHECK(timedOut);
  CHECK(eventually([&] {
    std::lock_guard<std::mutex> lock(mutex);
    return cleaned.size() == 2 && cleaned[1] == "id-3";
  }));
  CHECK(threads.stop(std::chrono::seconds(10)) == 0);
}

TEST_CASE("launch threads: stop() cancels, never waits past its bound, and refuses new work") {
  std::atomic<int> cleanups{0};
  LaunchThreads threads([&](const std::string&) { ++cleanups; });
  std::shared_ptr<LoadedPlugin> plugin = fakePlugin();
  // A launch that honours cancellation, waited for on another thread.
  LaunchOutcome honoured;
  std::thread waiter([&] {
    honoured = threads.launch(plugin, "id-4", R"({"fake:waitForDeadline":true})",
                              LaunchBounds{milliseconds(600000), milliseconds(600000)});
  });
  // A launch that ignores it, for 1 s.
  std::atomic<bool> ran{false};
  REQUIRE(threads.run([&] {
    threads.launch(plugin, "id-5", R"({"fake:hangMs":"1000"})",
                   LaunchBounds{milliseconds(600000), milliseconds(600000)});
    ran = true;
  }));
  REQUIRE(eventually([&] { return threads.running() >= 3; }));
  // Bounded: what ignores cancellation is left running, and counted.
  std::size_t left = threads.stop(milliseconds(1));
  waiter.join();
  // The host stopped waiting, or the plugin saw the cancellation first and said so.
  CHECK((honoured.status.message().find("shutting down") != std::string::npos ||
         honoured.status.message().find("cancelled") != std::string::npos));
  CHECK(left >= 1);
  CHECK(eventually([&] { return threads.running() == 0; }));
  CHECK(ran);
  CHECK(cleanups == 0); // after stop() nothing is cleaned up by the threads: the host is going
  CHECK_FALSE(threads.run([] {}));
  LaunchOutcome refused = threads.launch(plugin, "id-6", "{}", LaunchBounds{});
  CHECK(refused.status.message().find("shutting down") != std::string::npos);
}

TEST_CASE("launch threads: the bounds keep a reserve for the plugin's own error") {
  LaunchBounds bounds = LaunchBounds::forTimeout(std::chrono::seconds(90));
  CHECK(bounds.wait == std::chrono::seconds(90));
  CHECK(bounds.deadline == std::chrono::seconds(88));
  bounds = LaunchBounds::forTimeout(std::chrono::seconds(1));
  CHECK(bounds.wait == std::chrono::seconds(1));
  CHECK(bounds.deadline == milliseconds(750));
}
