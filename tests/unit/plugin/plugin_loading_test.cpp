// The ABI handshake and plugin loading, against fixture plugins built in this tree, some of
// them broken on purpose (tests/fixtures/).
#include "plugin/loaded_plugin.h"
#include "plugin/plugin_registry.h"

#include <algorithm>
#include <cstdio>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <thread>
#include <unistd.h>

using namespace wdh;

namespace {

std::string fixture(const char* name) {
  return std::string(WDHOST_FIXTURE_DIR) + "/" + name + ".so";
}

// What `run` wrote to stderr (the host's log).
template <typename Run>
std::string stderrOf(Run run) {
  char path[] = "/tmp/wdhost-plugin-log-XXXXXX";
  int file = mkstemp(path);
  REQUIRE(file >= 0);
  std::fflush(stderr);
  int saved = dup(2);
  dup2(file, 2);
  run();
  std::fflush(stderr);
  dup2(saved, 2);
  close(saved);
  std::string out;
  char buffer[4096];
  lseek(file, 0, SEEK_SET);
  for (ssize_t got; (got = read(file, buffer, sizeof buffer)) > 0;)
    out.append(buffer, static_cast<std::size_t>(got));
  close(file);
  unlink(path);
  return out;
}

std::unique_ptr<LoadedPlugin> loaded(const std::string& path) {
  std::unique_ptr<LoadedPlugin> plugin;
  REQUIRE(LoadedPlugin::open(path, &plugin).isOk());
  REQUIRE(plugin->initialise("{}", HostServices{}).isOk());
  return plugin;
}

const SkippedPlugin* skippedAt(const PluginRegistry& registry, const std::string& path) {
  for (const SkippedPlugin& s : registry.skipped())
    if (s.path == path)
      return &s;
  return nullptr;
}

} // namespace

TEST_CASE("plugin loading: a good plugin handshakes, initialises and describes itself") {
  std::unique_ptr<LoadedPlugin> plugin;
  REQUIRE(LoadedPlugin::open(fixture("fake_plugin"), &plugin).isOk());
  CHECK(plugin->identity().name == "fake");
  CHECK(plugin->identity().id == "org.wdhost.test.fake");
  CHECK(plugin->identity().abiMinor == WDHOST_ABI_MINOR);
  REQUIRE(plugin->initialise("{}", HostServices{}).isOk());
  CHECK(plugin->description().browserName == "fake");
  REQUIRE(plugin->description().browsers.size() == 1);
  CHECK(plugin->description().browsers[0].version == "1.2.3");
  CHECK(plugin->hasCommand());
}

TEST_CASE("plugin loading: negotiate, launch, command and teardown through the ABI") {
  std::unique_ptr<LoadedPlugin> plugin;
  REQUIRE(LoadedPlugin::open(fixture("fake_plugin"), &plugin).isOk());
  REQUIRE(plugin->initialise("{}", HostServices{}).isOk());
  bool matched = false;
  std::string accepted;
  REQUIRE(plugin->negotiate(R"({"browserName":"fake"})", &matched, &accepted).isOk());
  CHECK(matched);
  Status invalid = plugin->negotiate(R"({"fake:invalid":true})", &matched, &accepted);
  CHECK(invalid.code() == ErrorCode::InvalidArgument);
  CHECK(invalid.message().find("fake:invalid was set") != std::string::npos);

  wdhost_session* session = nullptr;
  std::string reply;
  REQUIRE(plugin->launch("id-1", "{}", &session, &reply).isOk());
  REQUIRE(session != nullptr);
  CHECK(reply.find("\"browserName\":\"fake\"") != std::string::npos);
  std::string value;
  REQUIRE(plugin->command(session, "GET", "/url", "", &value).isOk());
  CHECK(value == "\"about:blank\"");
  Status unknown = plugin->command(session, "GET", "/nope", "", &value);
  CHECK(unknown.code() == ErrorCode::UnknownCommand);
  CHECK(plugin->teardown(session).isOk());

  Status failed = plugin->launch("id-2", R"({"fake:fail":true})", &session, &reply);
  CHECK(failed.code() == ErrorCode::SessionNotCreated);
  CHECK(failed.message().find("fake was asked to fail") != std::string::npos);
  Status threw = plugin->launch("id-3", R"({"fake:throw":true})", &session, &reply);
  CHECK(threw.code() == ErrorCode::SessionNotCreated);
  CHECK(threw.message().find("std::exception") != std::string::npos);
}

TEST_CASE("plugin loading: another ABI major is refused without a crash") {
  std::unique_ptr<LoadedPlugin> plugin;
  Status status = LoadedPlugin::open(fixture("wrong_major"), &plugin);
  CHECK_FALSE(status.isOk());
  CHECK(status.message().find("another major") != std::string::npos);
}

TEST_CASE("plugin loading: a library without the entry symbol is refused") {
  std::unique_ptr<LoadedPlugin> plugin;
  Status status = LoadedPlugin::open(fixture("no_entry"), &plugin);
  CHECK_FALSE(status.isOk());
  CHECK(status.message().find("wdhost_plugin_entry") != std::string::npos);
}

TEST_CASE("plugin loading: a table smaller than v1 is refused") {
  std::unique_ptr<LoadedPlugin> plugin;
  Status status = LoadedPlugin::open(fixture("short_table"), &plugin);
  CHECK_FALSE(status.isOk());
  CHECK(status.message().find("smaller than ABI v1") != std::string::npos);
}

TEST_CASE("plugin loading: a missing file is refused with the loader's reason") {
  std::unique_ptr<LoadedPlugin> plugin;
  Status status = LoadedPlugin::open(fixture("does_not_exist"), &plugin);
  CHECK_FALSE(status.isOk());
  CHECK(status.message().find("cannot load") != std::string::npos);
}

TEST_CASE("plugin loading: a describe that throws skips the plugin with the reason") {
  std::unique_ptr<LoadedPlugin> plugin;
  REQUIRE(LoadedPlugin::open(fixture("describe_fails"), &plugin).isOk());
  Status status = plugin->initialise("{}", HostServices{});
  CHECK_FALSE(status.isOk());
  CHECK(status.message().find("no browser installed here") != std::string::npos);
}

TEST_CASE("plugin loading: a negotiate that throws is an error, not a crash") {
  std::unique_ptr<LoadedPlugin> plugin;
  REQUIRE(LoadedPlugin::open(fixture("negotiate_throws"), &plugin).isOk());
  REQUIRE(plugin->initialise("{}", HostServices{}).isOk());
  bool matched = true;
  std::string accepted;
  Status status = plugin->negotiate("{}", &matched, &accepted);
  CHECK_FALSE(status.isOk());
  CHECK(status.message().find("non-standard exception") != std::string::npos);
}

TEST_CASE("plugin registry: scanning a directory loads the good and skips the broken") {
  PluginRegistry registry;
  PluginSelection selection;
  selection.dirs = {WDHOST_FIXTURE_DIR};
  REQUIRE(registry.load(selection, HostServices{}).isOk());
  std::vector<std::string> names;
  for (const auto& plugin : registry.plugins())
    names.push_back(plugin->name());
  CHECK(names == std::vector<std::string>{"fake", "thrower"});
  CHECK(skippedAt(registry, fixture("wrong_major")) != nullptr);
  CHECK(skippedAt(registry, fixture("no_entry")) != nullptr);
  CHECK(skippedAt(registry, fixture("short_table")) != nullptr);
  const SkippedPlugin* describe = skippedAt(registry, fixture("describe_fails"));
  REQUIRE(describe != nullptr);
  CHECK(describe->name == "describe-fails");
}

TEST_CASE("plugin registry: --plugin selects and orders, and a missing name fails clearly") {
  PluginRegistry registry;
  PluginSelection selection;
  selection.dirs = {WDHOST_FIXTURE_DIR};
  selection.only = {"thrower", "fake"};
  REQUIRE(registry.load(selection, HostServices{}).isOk());
  REQUIRE(registry.plugins().size() == 2);
  CHECK(registry.plugins()[0]->name() == "thrower");

  PluginRegistry missing;
  selection.only = {"safari"};
  Status status = missing.load(selection, HostServices{});
  CHECK_FALSE(status.isOk());
  CHECK(status.message().find("safari") != std::string::npos);
}

TEST_CASE("plugin registry: the same plugin found twice is loaded once") {
  PluginRegistry registry;
  PluginSelection selection;
  selection.dirs = {WDHOST_FIXTURE_DIR, WDHOST_FIXTURE_DIR};
  REQUIRE(registry.load(selection, HostServices{}).isOk());
  CHECK(registry.plugins().size() == 2);
}

TEST_CASE("plugin loading: a 1.3 plugin's extensions are looked up once, warm goes through one") {
  std::unique_ptr<LoadedPlugin> plugin = loaded(fixture("fake_plugin"));
  CHECK(plugin->identity().abiMinor == 3);
  CHECK(plugin->takesContext());
  // The C++ layer answers wdhost.display/1 for every plugin: a session shown nowhere says null.
  CHECK(plugin->extensions() ==
        std::vector<std::string>{WDHOST_EXTENSION_WARM, WDHOST_EXTENSION_DISPLAY});
  REQUIRE(plugin->warm(3).isOk());
  wdhost_session* session = nullptr;
  std::string reply;
  REQUIRE(plugin->launch("id-1", "{}", &session, &reply).isOk());
  std::string value;
  REQUIRE(plugin->command(session, "GET", "/fake/warmed", "", &value).isOk());
  CHECK(value == "3");
  std::string shown;
  REQUIRE(plugin->display(session, &shown).isOk());
  CHECK(shown == "null");
  CHECK(plugin->teardown(session).isOk());
}

TEST_CASE("plugin loading: a frozen 1.2 plugin is served through its own slots") {
  std::unique_ptr<LoadedPlugin> plugin = loaded(WDHOST_FROZEN_1_2_PLUGIN);
  CHECK(plugin->identity().abiMinor == 2);
  CHECK_FALSE(plugin->takesContext()); // its launch gets no context
  CHECK(plugin->extensions().empty()); // no get_extension: the 1.1 warm slot is used
  REQUIRE(plugin->warm(2).isOk());
  wdhost_session* session = nullptr;
  std::string reply;
  CallContext context(std::chrono::milliseconds(1000));
  REQUIRE(plugin->launch("id-12", "{}", context, &session, &reply).isOk());
  CHECK(reply.find("frozen12") != std::string::npos);
  std::string value;
  REQUIRE(plugin->command(session, "GET", "/frozen/warmed", "", &value).isOk());
  CHECK(value == "2");
  REQUIRE(plugin->command(session, "GET", "/frozen/minor", "", &value).isOk());
  CHECK(value == "2"); // the host table tells it the minor agreed
  Status alert = plugin->command(session, "POST", "/frozen/alert", "{}", &value);
  CHECK(alert.code() == ErrorCode::UnexpectedAlertOpen);
  CHECK(alert.data() == R"({"text":"frozen"})");
  std::string shown; // no wdhost.display/1: shown nowhere the host may record
  REQUIRE(plugin->display(session, &shown).isOk());
  CHECK(shown == "null");
  CHECK(plugin->teardown(session).isOk());
}

TEST_CASE("plugin loading: the call context reaches a 1.3 plugin's launch and command") {
  std::unique_ptr<LoadedPlugin> plugin = loaded(fixture("fake_plugin"));
  wdhost_session* session = nullptr;
  std::string reply;
  CallContext shortly(std::chrono::milliseconds(50));
  Status expired =
      plugin->launch("id-2", R"({"fake:waitForDeadline":true})", shortly, &session, &reply);
  CHECK(expired.code() == ErrorCode::SessionNotCreated);
  CHECK(expired.message().find("the host's deadline for it passed") != std::string::npos);

  REQUIRE(plugin->launch("id-3", "{}", &session, &reply).isOk());
  CallContext command(std::chrono::milliseconds(0));
  std::thread canceller([&command] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    command.cancel();
  });
  std::string value;
  Status waited = plugin->command(session, "POST", "/fake/waitForCancel", "{}", command, &value);
  canceller.join();
  REQUIRE(waited.isOk());
  CHECK(value == "\"cancelled\"");
  CHECK(plugin->teardown(session).isOk());
}

TEST_CASE("plugin loading: launch-reply keys outside the contract are logged with the plugin") {
  std::unique_ptr<LoadedPlugin> plugin = loaded(fixture("fake_plugin"));
  wdhost_session* session = nullptr;
  std::string reply;
  Status status;
  std::string logged = stderrOf(
      [&] { status = plugin->launch("id-4", R"({"fake:replyKey":"bidiUrl"})", &session, &reply); });
  REQUIRE(status.isOk());
  CHECK(logged.find("fake: launch replied with \"bidiUrl\"") != std::string::npos);
  CHECK(plugin->teardown(session).isOk());
}
