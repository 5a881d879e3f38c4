#include "plugin/plugin_registry.h"

#include "core/log.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace fs = std::filesystem;

namespace wdh {
namespace {

// Every *.so directly in `dir`, sorted by file name so the scan order is stable.
std::vector<std::string> librariesIn(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code error;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    const fs::path& path = it->path();
    std::error_code typeError;
    if (path.extension() == ".so" && it->is_regular_file(typeError))
      out.push_back(path.string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// `path` made absolute and free of symlinks, or as given when it cannot be.
std::string canonical(const std::string& path) {
  std::error_code error;
  fs::path resolved = fs::weakly_canonical(path, error);
  return error ? path : resolved.string();
}

std::string nameByFile(const std::string& path) {
  // "chrome.so" or "libchrome.so": what --isolate-plugin names, without running the plugin's
  // code in the host to ask it.
  std::string stem = fs::path(path).stem().string();
  if (stem.rfind("lib", 0) == 0 && stem.size() > 3)
    stem.erase(0, 3);
  return stem;
}

} // namespace

bool isBuiltIn(const std::string& path, const std::vector<BuiltPlugin>& builtIn,
               const std::string& installedDir) {
  const fs::path library(canonical(path));
  const std::string dir = library.parent_path().string();
  const std::string name = library.filename().string();
  for (const BuiltPlugin& built : builtIn)
    if (built.fileName == name && (dir == canonical(built.buildDir) ||
                                   (!installedDir.empty() && dir == canonical(installedDir))))
      return true;
  return false;
}

void PluginRegistry::skip(const std::string& path, const std::string& name,
                          const std::string& reason) {
  log(LogLevel::Warn, "plugins",
      "skipped " + path + (name.empty() ? "" : " (" + name + ")") + ": " + reason);
  skipped_.push_back(SkippedPlugin{path, name, reason});
}

Status PluginRegistry::open(const std::string& path, const PluginSelection& selection,
                            const HostServices& services, std::unique_ptr<LoadedPlugin>* out) {
  bool isolated = selection.isolation == IsolationMode::All ||
                  (selection.isolation == IsolationMode::ThirdParty &&
                   !isBuiltIn(path, selection.builtIn, selection.installedDir)) ||
                  std::find(selection.isolate.begin(), selection.isolate.end(), nameByFile(path)) !=
                      selection.isolate.end();
  if (!isolated) {
    Status status = LoadedPlugin::open(path, out);
    if (!status.isOk())
      return status;
    const std::string& name = (*out)->name();
    if (std::find(selection.isolate.begin(), selection.isolate.end(), name) ==
        selection.isolate.end())
      return status;
    // Named by --isolate-plugin: its handshake ran here to learn the name; it runs out of process.
    out->reset();
  }
  if (selection.helperPath.empty())
    return Status(ErrorCode::UnknownError,
                  "it is to run isolated, and there is no wdhost-plugin-host");
  RemotePluginSettings settings{path, selection.helperPath, services.processes};
  return LoadedPlugin::openIsolated(settings, out);
}

Status PluginRegistry::load(const PluginSelection& selection, const HostServices& services) {
  std::vector<std::unique_ptr<LoadedPlugin>> opened;
  for (const std::string& dir : selection.dirs) {
    std::error_code error;
    if (!fs::is_directory(dir, error)) {
      log(LogLevel::Debug, "plugins", "no plugin directory " + dir);
      continue;
    }
    for (const std::string& path : librariesIn(dir)) {
      std::unique_ptr<LoadedPlugin> plugin;
      Status status = open(path, selection, services, &plugin);
      if (!status.isOk()) {
        skip(path, "", status.message());
        continue;
      }
      const PluginIdentity& identity = plugin->identity();
      auto same = std::find_if(opened.begin(), opened.end(), [&](const auto& other) {
        return other->identity().id == identity.id || other->name() == identity.name;
      });
      if (same != opened.end()) {
        skip(path, identity.name,
             "the same plugin was already found at " + (*same)->identity().path + ", which wins");
        continue;
      }
      if (!selection.only.empty() && std::find(selection.only.begin(), selection.only.end(),
                                               identity.name) == selection.only.end()) {
        skip(path, identity.name, "not selected by --plugin");
        continue;
      }
      opened.push_back(std::move(plugin));
    }
  }

  // Matching order: the order of --plugin when given, else by name.
  auto rank = [&](const std::string& name) {
    auto it = std::find(selection.only.begin(), selection.only.end(), name);
    return it == selection.only.end() ? selection.only.size()
                                      : static_cast<std::size_t>(it - selection.only.begin());
  };
  std::stable_sort(opened.begin(), opened.end(), [&](const auto& a, const auto& b) {
    std::size_t ra = rank(a->name()), rb = rank(b->name());
    return ra != rb ? ra < rb : a->name() < b->name();
  });

  for (auto& plugin : opened) {
    auto config = selection.configs.find(plugin->name());
    std::string configJson =
        config == selection.configs.end() ? selection.defaultConfig : config->second;
    Status status = plugin->initialise(configJson, services);
    if (!status.isOk()) {
      skip(plugin->identity().path, plugin->name(), status.message());
      continue;
    }
    log(LogLevel::Info, "plugins",
        "loaded " + plugin->name() + " " + plugin->identity().version + " (ABI 1." +
            std::to_string(plugin->identity().abiMinor) + ") from " + plugin->identity().path +
            (plugin->remote() != nullptr ? ", isolated in wdhost-plugin-host" : ""));
    plugins_.push_back(std::shared_ptr<LoadedPlugin>(std::move(plugin)));
  }

  for (const std::string& name : selection.only) {
    if (!find(name)) {
      auto why = std::find_if(skipped_.begin(), skipped_.end(),
                              [&](const SkippedPlugin& s) { return s.name == name; });
      return Status(ErrorCode::UnknownError,
                    "plugin '" + name + "' " +
                        (why == skipped_.end() ? "was not found in the plugin directories"
                                               : "could not be loaded: " + why->reason));
    }
  }
  return Status::ok();
}

std::shared_ptr<LoadedPlugin> PluginRegistry::find(std::string_view name) const {
  for (const auto& plugin : plugins_)
    if (plugin->name() == name)
      return plugin;
  return nullptr;
}

} // namespace wdh
