// A plugin loaded in wdhost-plugin-host (LoadedPlugin::openIsolated): the same answers as in
// process, the call context's deadline and cancellation across the channel, and no helper left.
#include "plugin/loaded_plugin.h"
#include "process/process_supervisor.h"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <doctest/doctest.h>
#include <fstream>
#include <signal.h>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

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

// Opens `path` in a helper under `processes` and launches its session "id-1"; null when either
// fails.
wdhost_session* launchedIn(const std::string& path, ProcessSupervisor& processes,
                           std::unique_ptr<LoadedPlugin>* plugin) {
  wdhost_session* session = nullptr;
  std::string reply;
  if (!isolated(path, processes, plugin).isOk() ||
      !(*plugin)->launch("id-1", "{}", &session, &reply).isOk())
    return nullptr;
  return session;
}

// The number of threads of process `pid` (0 when it cannot be read).
int threadsOf(std::uint64_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("Threads:", 0) == 0)
      return std::atoi(line.c_str() + 8);
  return 0;
}

// The soft "Max open files" limit of process `pid`, as /proc says it ("" when unreadable).
std::string openFilesLimit(std::uint64_t pid) {
  std::ifstream limits("/proc/" + std::to_string(pid) + "/limits");
  std::string line;
  while (std::getline(limits, line))
    if (line.rfind("Max open files", 0) == 0) {
      std::istringstream fields(line.substr(14));
      std::string soft;
      fields >> soft;
      return soft;
    }
  return "";
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

TEST_CASE("isolated plugin: calls at once each get their own answer, and few lanes stay open") {
  ProcessSupervisor processes(WDHOST_GUARD_PATH);
  std::unique_ptr<LoadedPlugin> plugin;
  wdhost_session* session = launchedIn(fixture("fake_plugin"), processes, &plugin);
  REQUIRE(session != nullptr);
  const RemotePluginHealth health = plugin->remote()->health();
  REQUIRE(health.pid > 0);
  const int before = threadsOf(health.pid);
  REQUIRE(before > 0);
  // 16 threads at once, each on a lane of its own while the others are busy: first a call that
  // lasts 500 ms (so that all 16 run at once), then quick ones; every answer is the caller's own
  // (an answer read by the wrong caller would echo another thread's body).
  constexpr int kThreads = 16;
  constexpr int kCalls = 100;
  std::atomic<int> wrong{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < kThreads; ++t)
    callers.emplace_back([&, t] {
      CallContext slow(std::chrono::milliseconds(500));
      std::string waited;
      if (!plugin->command(session, "POST", "/fake/waitForCancel", "{}", slow, &waited).isOk())
        ++wrong;
      for (int i = 0; i < kCalls; ++i) {
        const std::string body = "[" + std::to_string(t) + "," + std::to_string(i) + "]";
        std::string echoed;
        if (!plugin->command(session, "POST", "/echo", body, &echoed).isOk() || echoed != body)
          ++wrong;
      }
    });
  // While they run, the helper serves them on more lanes than it keeps.
  int bursts = 0;
  for (int round = 0; round < 400 && bursts == 0; ++round) {
    if (threadsOf(health.pid) > before + 8)
      ++bursts;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  for (auto& caller : callers)
    caller.join();
  CHECK(wrong.load() == 0);
  // The lanes beyond the few kept for the next calls are closed, and their threads end with
  // them: the helper's threads come back down to at most 8 lanes more than before the burst,
  // when one lane had served every call (a sanitizer may add threads of its own to both).
  CHECK(bursts > 0);
  int threads = 0;
  for (int round = 0; round < 100; ++round) {
    threads = threadsOf(health.pid);
    if (threads <= before + 7)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(threads <= before + 7);
  CHECK(plugin->teardown(session).isOk());
  CHECK(plugin->remote()->health().crashes == 0);
}

TEST_CASE("isolated plugin: a command that hangs past its deadline ends the helper, counted") {
  ProcessSupervisor processes(WDHOST_GUARD_PATH);
  std::unique_ptr<LoadedPlugin> plugin;
  wdhost_session* session =
      launchedIn(std::string(WDHOST_ISOLATION_FIXTURE_DIR) + "/fragile.so", processes, &plugin);
  REQUIRE(session != nullptr);
  std::string reply;
  // The plugin ignores the deadline and the cancel: 200 ms, a 2 s grace for the plugin's own
  // error, the cancel, another 2 s, then the end.
  CallContext shortly(std::chrono::milliseconds(200));
  const auto started = std::chrono::steady_clock::now();
  std::string value;
  Status hung = plugin->command(session, "GET", "/fragile/hang", "", shortly, &value);
  const auto took = std::chrono::steady_clock::now() - started;
  INFO(hung.message());
  CHECK(hung.code() == ErrorCode::InvalidSessionId);
  CHECK(hung.message().find("hung in command") != std::string::npos);
  CHECK(took >= std::chrono::milliseconds(4000));
  CHECK(took < std::chrono::seconds(15));
  CHECK(plugin->remote()->health().crashes == 1);
  CHECK(plugin->teardown(session).isOk());
  // A new session starts in a new helper.
  REQUIRE(plugin->launch("id-2", "{}", &session, &reply).isOk());
  CHECK(plugin->command(session, "GET", "/title", "", &value).isOk());
  CHECK(value == "\"/title\"");
  CHECK(plugin->teardown(session).isOk());
}

TEST_CASE("isolated plugin: a helper out of descriptors fails only the call it cannot take") {
  ProcessSupervisor processes(WDHOST_GUARD_PATH);
  std::unique_ptr<LoadedPlugin> plugin;
  wdhost_session* session = launchedIn(fixture("fake_plugin"), processes, &plugin);
  REQUIRE(session != nullptr);
  const std::uint64_t pid = plugin->remote()->health().pid;
  const std::string unlimited = openFilesLimit(pid);
  REQUIRE_FALSE(unlimited.empty());
  // The holder keeps the one lane busy and the helper without a free descriptor.
  CallContext held(std::chrono::milliseconds(0));
  std::string heldValue;
  Status holding;
  std::thread holder([&] {
    holding = plugin->command(session, "POST", "/fake/holdDescriptors", "{}", held, &heldValue);
  });
  bool limited = false;
  for (int round = 0; round < 500 && !limited; ++round) {
    limited = openFilesLimit(pid) != unlimited;
    if (!limited)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(limited);
  // A call now needs a new lane, which the helper has no room for: this call fails alone.
  std::string echoed;
  Status refused = plugin->command(session, "POST", "/echo", "[1]", &echoed);
  INFO(refused.message());
  CHECK(refused.code() == ErrorCode::UnknownError);
  CHECK(refused.message().find("could not take the command call") != std::string::npos);
  held.cancel();
  holder.join();
  CHECK(holding.isOk());
  CHECK(heldValue == "\"held\"");
  // The helper ran on: the same session answers, nothing was counted as a crash.
  CHECK(plugin->command(session, "POST", "/echo", "[2]", &echoed).isOk());
  CHECK(echoed == "[2]");
  CHECK(plugin->remote()->health().crashes == 0);
  CHECK(plugin->remote()->health().pid == pid);
  CHECK(plugin->teardown(session).isOk());
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
