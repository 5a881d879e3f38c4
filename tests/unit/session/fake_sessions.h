// Test support for tests/unit/session: real Session objects served by the fake fixture plugin
// (tests/fixtures/fake_plugin.cpp), loaded once per test binary; nothing starts a process.
#pragma once

#include "plugin/loaded_plugin.h"
#include "session/session.h"

#include <doctest/doctest.h>
#include <memory>
#include <string>

namespace wdhtest {

// The fake plugin, loaded and initialised on first use.
inline std::shared_ptr<wdh::LoadedPlugin> fakePlugin() {
  static std::shared_ptr<wdh::LoadedPlugin> plugin = [] {
    std::unique_ptr<wdh::LoadedPlugin> loaded;
    REQUIRE(wdh::LoadedPlugin::open(std::string(WDHOST_FIXTURE_DIR) + "/fake_plugin.so", &loaded)
                .isOk());
    REQUIRE(loaded->initialise("{}", wdh::HostServices{}).isOk());
    return std::shared_ptr<wdh::LoadedPlugin>(std::move(loaded));
  }();
  return plugin;
}

// A live session `id` of the fake plugin, idle after `idle` (0: expired at the next sweep).
inline std::shared_ptr<wdh::Session>
fakeSession(const std::string& id, std::chrono::seconds idle = std::chrono::hours(1)) {
  std::shared_ptr<wdh::LoadedPlugin> plugin = fakePlugin();
  wdhost_session* handle = nullptr;
  std::string reply;
  REQUIRE(plugin->launch(id, "{}", &handle, &reply).isOk());
  wdh::SessionTiming timing;
  timing.idleTimeout = idle;
  return std::make_shared<wdh::Session>(id, plugin, handle, nullptr, wdh::Slot(), timing);
}

} // namespace wdhtest
