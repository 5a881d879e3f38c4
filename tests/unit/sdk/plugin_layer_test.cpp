// The SDK's C++ layer as the host reaches it (plugin.hpp): the table WDHOST_DECLARE_PLUGIN
// exports, get_extension answered for plugins that override warm(), the call context turned
// into a wdhost::Deadline (and a legacy bound for 1.0-1.2 hosts), and both launch forms.
#include "stub_host.h"

#include <atomic>
#include <doctest/doctest.h>
#include <wdhost/plugin.hpp>

namespace {

using wdhtest::StubHost;

// What the last launch saw.
struct Seen {
  bool bounded = false;
  uint64_t atMs = 0;
  bool cancelled = false;
  uint32_t warmed = 0;
};
Seen gSeen;

class QuietSession : public wdhost::Session {
public:
  std::string launchReply() const override { return R"({"capabilities":{}})"; }
  std::string commandWithin(std::string_view, std::string_view, std::string_view,
                            const wdhost::Deadline& deadline) override {
    return deadline.cancelled() ? "\"cancelled\"" : "\"running\"";
  }
  void teardown() override {}
};

// A 1.3-style plugin: launchWithin and warm.
class ModernPlugin : public wdhost::Plugin {
public:
  ModernPlugin(wdhost::Host host, std::string_view) : wdhost::Plugin(host) {}
  std::string describe() override { return R"({"browserName":"modern"})"; }
  std::optional<std::string> negotiate(std::string_view caps) override { return std::string(caps); }
  std::unique_ptr<wdhost::Session> launchWithin(std::string_view, std::string_view,
                                                const wdhost::Deadline& deadline) override {
    gSeen.bounded = deadline.bounded();
    gSeen.atMs = deadline.atMs();
    gSeen.cancelled = deadline.cancelled();
    return std::make_unique<QuietSession>();
  }
  void warm(uint32_t count) override { gSeen.warmed = count; }
  const void* extension(std::string_view id) override {
    static const uint32_t custom = sizeof(uint32_t);
    return id == "org.test.custom/1" ? &custom : nullptr;
  }
};

// A session shown on a private X display.
class ShownSession : public QuietSession {
public:
  std::string display() const override { return R"({"x11":":7","width":800,"height":600})"; }
};

// A plugin whose sessions say where they are shown.
class ShowingPlugin : public wdhost::Plugin {
public:
  ShowingPlugin(wdhost::Host host, std::string_view) : wdhost::Plugin(host) {}
  std::string describe() override { return R"({"browserName":"showing"})"; }
  std::optional<std::string> negotiate(std::string_view caps) override { return std::string(caps); }
  std::unique_ptr<wdhost::Session> launch(std::string_view, std::string_view) override {
    return std::make_unique<ShownSession>();
  }
};

// A plugin written against the 1.2 C++ layer: launch() only, no warm().
class PlainPlugin : public wdhost::Plugin {
public:
  PlainPlugin(wdhost::Host host, std::string_view) : wdhost::Plugin(host) {}
  std::string describe() override { return R"({"browserName":"plain"})"; }
  std::optional<std::string> negotiate(std::string_view) override { return std::nullopt; }
  std::unique_ptr<wdhost::Session> launch(std::string_view, std::string_view) override {
    return std::make_unique<QuietSession>();
  }
};

std::atomic<int> gCancelled{0};
int32_t WDHOST_CALL cancelledFlag(const wdhost_call_context*) {
  return gCancelled.load();
}

// True when the slot holds a function (doctest cannot print function pointers).
template <class Slot>
bool isSet(Slot slot) {
  return slot != nullptr;
}

wdhost_str str(std::string_view s) {
  return wdhost::str(s);
}

template <class P>
wdhost_plugin* create(const wdhost_plugin_vtable* table, StubHost& host) {
  wdhost_plugin* plugin = nullptr;
  StubHost::Reply reply;
  REQUIRE(table->init(host.table(), str("{}"), &plugin, StubHost::handle(&reply)) == WDHOST_OK);
  REQUIRE(plugin != nullptr);
  return plugin;
}

} // namespace

TEST_CASE("sdk plugin layer: the table is the whole 1.3 table, frozen after get_extension") {
  const wdhost_plugin_vtable* modern =
      wdhost::detail::vtableFor<ModernPlugin>("org.test.modern", "modern", "1.0.0");
  CHECK(modern->struct_size == sizeof(wdhost_plugin_vtable));
  CHECK(modern->abi_minor == WDHOST_ABI_MINOR);
  CHECK(isSet(modern->launch)); // for 1.0-1.2 hosts
  CHECK(isSet(modern->launch_ctx));
  CHECK(isSet(modern->command));
  CHECK(isSet(modern->command_ctx));
  CHECK(isSet(modern->get_extension));
  CHECK(isSet(modern->warm)); // it overrides warm(): the 1.1 slot for 1.1 and 1.2 hosts
  const wdhost_plugin_vtable* plain =
      wdhost::detail::vtableFor<PlainPlugin>("org.test.plain", "plain", "1.0.0");
  CHECK_FALSE(isSet(plain->warm)); // no warm() of its own: nothing to offer
  CHECK(isSet(plain->get_extension));

  wdhost_negotiation io{};
  io.struct_size = sizeof io;
  io.host_abi_major = WDHOST_ABI_MAJOR;
  io.host_abi_minor = 1; // an older host
  CHECK(wdhost::detail::negotiateAbi(&io, modern) == WDHOST_OK);
  CHECK(io.agreed_abi_minor == 1);
  io.host_abi_minor = WDHOST_ABI_MINOR + 5; // a newer one
  CHECK(wdhost::detail::negotiateAbi(&io, modern) == WDHOST_OK);
  CHECK(io.agreed_abi_minor == WDHOST_ABI_MINOR);
  io.host_abi_major = WDHOST_ABI_MAJOR + 1;
  CHECK(wdhost::detail::negotiateAbi(&io, modern) == WDHOST_INCOMPATIBLE);
  CHECK(io.vtable == nullptr);
}

TEST_CASE("sdk plugin layer: get_extension answers wdhost.warm/1 for a plugin with warm()") {
  StubHost host;
  const wdhost_plugin_vtable* table =
      wdhost::detail::vtableFor<ModernPlugin>("org.test.modern", "modern", "1.0.0");
  wdhost_plugin* plugin = create<ModernPlugin>(table, host);
  auto warm = static_cast<const wdhost_warm_extension*>(
      table->get_extension(plugin, WDHOST_EXTENSION_WARM));
  REQUIRE(warm != nullptr);
  CHECK(warm->struct_size == sizeof(wdhost_warm_extension));
  CHECK(table->get_extension(plugin, WDHOST_EXTENSION_WARM) == warm); // static, the same
  StubHost::Reply reply;
  CHECK(warm->warm(plugin, 4, StubHost::handle(&reply)) == WDHOST_OK);
  CHECK(gSeen.warmed == 4);
  // A plugin-defined extension, an unknown id, NULL.
  CHECK(table->get_extension(plugin, "org.test.custom/1") != nullptr);
  CHECK(table->get_extension(plugin, "wdhost.warm/2") == nullptr);
  CHECK(table->get_extension(plugin, nullptr) == nullptr);
  CHECK(table->get_extension(nullptr, WDHOST_EXTENSION_WARM) == nullptr);
  table->deinit(plugin);

  const wdhost_plugin_vtable* plainTable =
      wdhost::detail::vtableFor<PlainPlugin>("org.test.plain", "plain", "1.0.0");
  wdhost_plugin* plain = create<PlainPlugin>(plainTable, host);
  CHECK(plainTable->get_extension(plain, WDHOST_EXTENSION_WARM) == nullptr);
  plainTable->deinit(plain);
}

TEST_CASE("sdk plugin layer: get_extension answers wdhost.display/1 with Session::display()") {
  StubHost host;
  // A session that says nothing is shown nowhere: null.
  const wdhost_plugin_vtable* table =
      wdhost::detail::vtableFor<ModernPlugin>("org.test.modern", "modern", "1.0.0");
  wdhost_plugin* plugin = create<ModernPlugin>(table, host);
  auto display = static_cast<const wdhost_display_extension*>(
      table->get_extension(plugin, WDHOST_EXTENSION_DISPLAY));
  REQUIRE(display != nullptr);
  CHECK(display->struct_size == sizeof(wdhost_display_extension));
  wdhost_session* session = nullptr;
  StubHost::Reply reply;
  REQUIRE(table->launch(plugin, str("s"), str("{}"), &session, StubHost::handle(&reply)) ==
          WDHOST_OK);
  StubHost::Reply shown;
  REQUIRE(display->display(session, StubHost::handle(&shown)) == WDHOST_OK);
  CHECK(shown.json == "null");
  table->teardown(session, StubHost::handle(&reply));
  table->deinit(plugin);

  const wdhost_plugin_vtable* showing =
      wdhost::detail::vtableFor<ShowingPlugin>("org.test.showing", "showing", "1.0.0");
  plugin = create<ShowingPlugin>(showing, host);
  display = static_cast<const wdhost_display_extension*>(
      showing->get_extension(plugin, WDHOST_EXTENSION_DISPLAY));
  REQUIRE(display != nullptr);
  REQUIRE(showing->launch(plugin, str("s"), str("{}"), &session, StubHost::handle(&reply)) ==
          WDHOST_OK);
  REQUIRE(display->display(session, StubHost::handle(&shown)) == WDHOST_OK);
  CHECK(shown.json == R"({"x11":":7","width":800,"height":600})");
  showing->teardown(session, StubHost::handle(&reply));
  showing->deinit(plugin);
}

TEST_CASE("sdk plugin layer: launch_ctx hands the context on, launch gets the legacy bound") {
  StubHost host;
  const wdhost_plugin_vtable* table =
      wdhost::detail::vtableFor<ModernPlugin>("org.test.modern", "modern", "1.0.0");
  wdhost_plugin* plugin = create<ModernPlugin>(table, host);

  wdhost_call_context context{};
  context.struct_size = sizeof context;
  context.deadline_ms = wdhost::monotonicMs() + 30000;
  context.is_cancelled = &cancelledFlag;
  gCancelled = 1;
  wdhost_session* session = nullptr;
  StubHost::Reply reply;
  REQUIRE(table->launch_ctx(plugin, &context, str("s"), str("{}"), &session,
                            StubHost::handle(&reply)) == WDHOST_OK);
  CHECK(gSeen.atMs == context.deadline_ms);
  CHECK(gSeen.cancelled);
  CHECK(reply.json == R"({"capabilities":{}})");
  // command_ctx too: the session sees the cancellation.
  StubHost::Reply answered;
  REQUIRE(table->command_ctx(session, &context, str("GET"), str("/x"), str(""),
                             StubHost::handle(&answered)) == WDHOST_OK);
  CHECK(answered.json == "\"cancelled\"");
  REQUIRE(table->command(session, str("GET"), str("/x"), str(""), StubHost::handle(&answered)) ==
          WDHOST_OK);
  CHECK(answered.json == "\"running\"");
  table->teardown(session, StubHost::handle(&reply));

  // The 1.0 slot, as a 1.2 host calls it: bounded by kLegacyLaunchMs from now.
  uint64_t before = wdhost::monotonicMs();
  REQUIRE(table->launch(plugin, str("s2"), str("{}"), &session, StubHost::handle(&reply)) ==
          WDHOST_OK);
  CHECK(gSeen.bounded);
  CHECK(gSeen.atMs >= before + wdhost::kLegacyLaunchMs);
  CHECK(gSeen.atMs <= wdhost::monotonicMs() + wdhost::kLegacyLaunchMs);
  CHECK_FALSE(gSeen.cancelled);
  table->teardown(session, StubHost::handle(&reply));
  table->deinit(plugin);
}

TEST_CASE("sdk plugin layer: a plugin with launch() alone is served by both slots") {
  StubHost host;
  const wdhost_plugin_vtable* table =
      wdhost::detail::vtableFor<PlainPlugin>("org.test.plain", "plain", "1.0.0");
  wdhost_plugin* plugin = create<PlainPlugin>(table, host);
  wdhost_call_context context{};
  context.struct_size = sizeof context;
  wdhost_session* session = nullptr;
  StubHost::Reply reply;
  REQUIRE(table->launch_ctx(plugin, &context, str("s"), str("{}"), &session,
                            StubHost::handle(&reply)) == WDHOST_OK);
  table->teardown(session, StubHost::handle(&reply));
  REQUIRE(table->launch(plugin, str("s"), str("{}"), &session, StubHost::handle(&reply)) ==
          WDHOST_OK);
  table->teardown(session, StubHost::handle(&reply));
  table->deinit(plugin);
}
