// Finds plugin libraries in directories, loads the selected ones in a stable order, and
// remembers why any was skipped.
#pragma once

#include "core/status.h"
#include "plugin/host_table.h"
#include "plugin/loaded_plugin.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace wdh {

// A library that was found but not loaded, and why.
struct SkippedPlugin {
  std::string path;   // the library file
  std::string name;   // the plugin name, if the handshake got that far
  std::string reason; // one line
};

// Which plugins run out of process, in wdhost-plugin-host (--isolate-plugins).
enum class IsolationMode { None, ThirdParty, All };

// A plugin library this tree builds: its file name and the directory the build puts it in.
struct BuiltPlugin {
  std::string fileName; // "chrome.so"
  std::string buildDir; // absolute
};

// What to load.
struct PluginSelection {
  std::vector<std::string> dirs;                 // searched in order; the first copy wins
  std::vector<std::string> only;                 // names to load, in this order; empty = all
  std::map<std::string, std::string> configs;    // name -> init() config JSON object
  std::string defaultConfig = "{}";              // config for plugins not in `configs`
  IsolationMode isolation = IsolationMode::None; // which plugins run in a helper process
  std::vector<std::string> isolate;              // names that run in one whatever the mode
  std::string helperPath;                        // wdhost-plugin-host ("" = isolate none)
  std::vector<BuiltPlugin> builtIn;              // what ThirdParty leaves in process
  std::string installedDir; // the plugin directory next to the binary ("" = none)
};

// True when the library at `path` is one this tree builds: a file name of `builtIn`, in the
// directory the build put it in or in `installedDir`.
bool isBuiltIn(const std::string& path, const std::vector<BuiltPlugin>& builtIn,
               const std::string& installedDir);

// The loaded plugins, in matching order; immutable after load().
class PluginRegistry {
public:
  // Loads plugins as `selection` says; logs one line for each skipped library. Fails only
  // when a name in `only` was not found or could not be loaded.
  Status load(const PluginSelection& selection, const HostServices& services);

  // The loaded plugins, in the order New Session tries them.
  const std::vector<std::shared_ptr<LoadedPlugin>>& plugins() const noexcept { return plugins_; }
  // Libraries found but not loaded.
  const std::vector<SkippedPlugin>& skipped() const noexcept { return skipped_; }
  // The plugin called `name`, or nullptr.
  std::shared_ptr<LoadedPlugin> find(std::string_view name) const;

private:
  // Opens `path` in this process or in a helper, as `selection` says.
  static Status open(const std::string& path, const PluginSelection& selection,
                     const HostServices& services, std::unique_ptr<LoadedPlugin>* out);
  void skip(const std::string& path, const std::string& name, const std::string& reason);

  std::vector<std::shared_ptr<LoadedPlugin>> plugins_;
  std::vector<SkippedPlugin> skipped_;
};

} // namespace wdh
