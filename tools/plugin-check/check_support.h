// Shared steps of the checks: a plugin loaded and described, capability sets, and the
// "nothing left behind" verdict.
#pragma once

#include "checks.h"
#include "plugin/loaded_plugin.h"
#include "probe.h"
#include "watched_host.h"

#include <memory>
#include <optional>
#include <string>

namespace check {

// A plugin loaded, initialised and described. Destroyed in the right order: deinit, unload,
// then the host services.
struct Loaded {
  std::unique_ptr<WatchedHost> host;
  std::unique_ptr<Library> library;
  std::unique_ptr<Instance> instance;
  wdh::PluginDescription description; // parsed from describe()
};

// Loads, initialises and describes the plugin at context.path; on failure returns nullopt
// with *error saying which step failed and why.
std::unique_ptr<Loaded> loadAndDescribe(const Context& context, std::string* error);

// Parses a describe() reply as the host does; false with *error when the host would refuse it.
bool parseDescription(const std::string& json, wdh::PluginDescription* out, std::string* error);

// {"browserName":NAME} plus `extra` members (a JSON fragment such as "\"a:b\":1", or "").
std::string capabilitiesFor(const std::string& browserName, const std::string& extra = {});

// True when the host's own matching (browserName, platformName, browserVersion against
// describe()) lets `capabilities` reach this plugin.
bool hostMatches(const std::string& capabilities, const wdh::PluginDescription& description);

// "" when no process, descendant or temp dir is left (waiting up to `settle` for them to
// go), else what is left.
std::string leftBehind(const WatchedHost& host, std::chrono::milliseconds settle);

// The first `n` contract breaches joined with "; ", or "".
std::string firstBreaches(const Instance& instance, std::size_t n = 3);

} // namespace check
