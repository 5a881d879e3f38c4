// A live session served in-process by the fake fixture plugin: closing it cancels the command
// under way (ABI 1.3 call context), so its teardown does not wait the command out.
#include "session/session.h"

#include <atomic>
#include <doctest/doctest.h>
#include <thread>

using namespace wdh;

namespace {

std::shared_ptr<LoadedPlugin> fakePlugin() {
  std::unique_ptr<LoadedPlugin> plugin;
  REQUIRE(LoadedPlugin::open(std::string(WDHOST_FIXTURE_DIR) + "/fake_plugin.so", &plugin).isOk());
  REQUIRE(plugin->initialise("{}", HostServices{}).isOk());
  return std::shared_ptr<LoadedPlugin>(std::move(plugin));
}

} // namespace

TEST_CASE("session: closing it cancels the in-process command under way, then tears down") {
  std::shared_ptr<LoadedPlugin> plugin = fakePlugin();
  wdhost_session* handle = nullptr;
  std::string reply;
  REQUIRE(plugin->launch("s-1", "{}", &handle, &reply).isOk());
  Session session("s-1", plugin, handle, nullptr, Slot(), SessionTiming{});

  Status status;
  RelayResponse response;
  std::atomic<bool> returned{false};
  // The fake's command waits until the host cancels it (10 s at most), then says whether it was.
  std::thread command([&] {
    status = session.execute("POST", "/fake/waitForCancel", "{}", &response);
    returned = true;
  });
  auto later = std::chrono::steady_clock::now() + std::chrono::hours(1000);
  for (int i = 0; i < 2000 && session.idleExpired(later) && !returned; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5)); // until it is in flight
  REQUIRE(session.close().isOk());
  command.join();
  // It ran and was cancelled, or close() came first and it never began: never waited out.
  if (status.isOk())
    CHECK(response.body == R"({"value":"cancelled"})");
  else
    CHECK(status.code() == ErrorCode::InvalidSessionId);
  // Closed: no command begins any more.
  CHECK(session.execute("GET", "/url", "", &response).code() == ErrorCode::InvalidSessionId);
}
