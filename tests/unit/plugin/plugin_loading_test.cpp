// The ABI handshake and plugin loading, against fixture plugins built in this tree, some of
// them broken on purpose (tests/fixtures/).
#include "plugin/loaded_plugin.h"
#include "plugin/plugin_registry.h"

#include <algorithm>
#include <doctest/doctest.h>

using namespace wdh;

namespace {

std::string fixture(const char* name) {
  return std::string(WDHOST_FIXTURE_DIR) + "/" + name + ".so";
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
