// A plugin loaded in wdhost-plugin-host (LoadedPlugin::openIsolated): the same answers as in
// process, the call context's deadline and cancellation across the channel, and no helper left.
#include "plugin/loaded_plugin.h"
#include "process/process_supervisor.h"

#include <chrono>
#include <doctest/doctest.h>
#include <signal.h>
#include <string>
#include <thread>

using namespace wdh;

namespace {

std::string fixture(const char* name) {
  return std::string(WDHOST_FIXTURE_DIR) + "/" + name + ".so";
}

// Opens and initialises `path` in a helper under `processes`; null (with the reason checked by
// the caller) when it cannot.
Status isolated(const std::string& path, ProcessSupervisor& processes,
                std::unique_ptr<LoadedPlugin>* out) {
  Status status = LoadedPlugin::openIsolated(
      RemotePluginSettings{path, WDHOST_PLUGIN_HOST_PATH, &processes}, out);
  if (!status.isOk())
    return status;
  return (*out)->initialise("{}", HostServices{&processes, nullptr});
}

} // namespace

TEST_CASE("isolated plugin: the fake plugin answers through its helper as it does in process") {
  ProcessSupervisor processes(WDHOST_GUARD_PATH);
  {
    std::unique_ptr<LoadedPlugin> plugin;
    REQUIRE(isolated(fixture("fake_plugin"), processes, &plugin).isOk());
    REQUIRE(plugin->remote() != nullptr);
    CHECK(plugin->name() == "fake");
    CHECK(plugin->identity().abiMinor == WDHOST_ABI_MINOR);
    CHECK(plugin->description().browserName == "fake");
    CHECK(plugin->hasCommand());
    CHECK(plugin->takesContext());
    CHECK(processes.size() == 1); // one helper, whatever the sessions

    bool matched = false;
    std::string accepted;
    REQUIRE(plugin->negotiate(R"({"browserName":"fake"})", &matched, &accepted).isOk());
    CHECK(matched);
    CHECK(accepted.find("\"browserName\":\"fake\"") != std::string::npos);

    // The deadline crosses the channel: the plugin sees it pass and says so.
    wdhost_session* session = nullptr;
    std::string reply;
    CallContext shortly(std::chrono::milliseconds(50));
    Status expired =
        plugin->launch("id-1", R"({"fake:waitForDeadline":true})", shortly, &session, &reply);
    CHECK(expired.code() == ErrorCode::SessionNotCreated);
    CHECK(expired.message().find("the host's deadline for it passed") != std::string::npos);

    // Two sessions at once in the one helper; a cancel reaches the command it names.
    wdhost_session* first = nullptr;
    wdhost_session* second = nullptr;
    REQUIRE(plugin->launch("id-2", "{}", &first, &reply).isOk());
    REQUIRE(plugin->launch("id-3", "{}", &second, &reply).isOk());
    CallContext command(std::chrono::milliseconds(0));
    std::string cancelledValue;
    Status waited;
    std::thread waiter([&] {
      waited =
          plugin->command(first, "POST", "/fake/waitForCancel", "{}", command, &cancelledValue);
    });
    std::string launchedAs;
    CHECK(plugin->command(second, "GET", "/fake/launchedAs", "", &launchedAs).isOk());
    CHECK(launchedAs == "\"id-3\"");
    command.cancel();
    waiter.join();
    REQUIRE(waited.isOk());
    CHECK(cancelledValue == "\"cancelled\"");
    std::string unknown;
    Status refused = plugin->command(second, "GET", "/fake/nothing", "", &unknown);
    CHECK_FALSE(refused.isOk());
    CHECK(plugin->teardown(first).isOk());
    CHECK(plugin->teardown(second).isOk());
    CHECK(plugin->remote()->health().crashes == 0);
    CHECK(plugin->remote()->health().pid > 0);
  }
  // Destroying the plugin deinitialises it and ends its helper.
  CHECK(processes.size() == 0);
}

TEST_CASE("isolated plugin: a library the helper cannot load is refused with its reason") {
  ProcessSupervisor processes(WDHOST_GUARD_PATH);
  std::unique_ptr<LoadedPlugin> plugin;
  Status noEntry = isolated(fixture("no_entry"), processes, &plugin);
  CHECK(noEntry.message().find("no exported symbol wdhost_plugin_entry") != std::string::npos);
  Status wrongMajor = isolated(fixture("wrong_major"), processes, &plugin);
  CHECK(wrongMajor.message().find("built for another major version") != std::string::npos);
  Status describeFails = isolated(fixture("describe_fails"), processes, &plugin);
  CHECK_FALSE(describeFails.isOk());
  plugin.reset();
  CHECK(processes.size() == 0);
}

TEST_CASE(
    "isolated plugin: a helper that dies while idle is counted at once, not at the next call") {
  ProcessSupervisor processes(WDHOST_GUARD_PATH);
  std::unique_ptr<LoadedPlugin> plugin;
  REQUIRE(isolated(fixture("fake_plugin"), processes, &plugin).isOk());
  RemotePluginHealth before = plugin->remote()->health();
  REQUIRE(before.pid > 0);
  CHECK(before.crashes == 0);
  REQUIRE(::kill(static_cast<pid_t>(before.pid), SIGKILL) == 0);
  // No call is made: the crash is seen by the channel's reader.
  RemotePluginHealth after;
  for (int i = 0; i < 100; ++i) {
    after = plugin->remote()->health();
    if (after.crashes > 0)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(after.crashes == 1);
  CHECK(after.lastCrash.find("SIGKILL") != std::string::npos);
  CHECK(after.pid == 0); // no helper runs until a call needs one
  // The next call restarts it (the first crash has no back-off), and counts nothing twice.
  bool matched = false;
  std::string accepted;
  CHECK(plugin->negotiate(R"({"browserName":"fake"})", &matched, &accepted).isOk());
  CHECK(matched);
  CHECK(plugin->remote()->health().crashes == 1);
  CHECK(plugin->remote()->health().pid > 0);
}
