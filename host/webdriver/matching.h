// Host-side matching of browserName, browserVersion and platformName against what each
// plugin found installed, so that every plugin matches the same way.
#pragma once

#include "plugin/loaded_plugin.h"

#include <memory>
#include <rapidjson/document.h>
#include <string>
#include <vector>

namespace wdh {

// True when `version` (installed, "156.0.8078.79") satisfies `wanted`: an exact version, a
// prefix of whole components ("156", "156.0"), comparisons (">=116", "<118", "<=", ">"), or
// several space-separated terms that must all hold (">=116 <118").
bool versionMatches(std::string_view wanted, std::string_view version);

// True when the merged capabilities can be served by a plugin described by `description`.
bool matchesPlugin(const rapidjson::Value& caps, const PluginDescription& description);

// "chrome 156.0.8078.79 on linux, firefox 128.5.0 on linux", or "no browser plugins".
std::string describeOffer(const std::vector<std::shared_ptr<LoadedPlugin>>& plugins);

} // namespace wdh
