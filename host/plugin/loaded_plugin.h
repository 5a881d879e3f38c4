// One plugin library, loaded with Boost.DLL, handshaken, initialised and described.
#pragma once

#include "core/status.h"
#include "plugin/host_table.h"

#include <boost/dll/shared_library.hpp>
#include <memory>
#include <string>
#include <vector>
#include <wdhost/description.hpp>
#include <wdhost/plugin.h>

namespace wdh {

// A browser the plugin found installed, from its describe() reply.
using InstalledBrowser = wdhost::ProgramFound;

// What describe() said, read once at load with the SDK's own reader; the reply is kept parsed
// for /status.
struct PluginDescription : wdhost::Description {
  std::shared_ptr<const rapidjson::Document> document; // the reply as the plugin sent it
};

// The outcome of the entry handshake, before init(): enough to list or select the plugin.
struct PluginIdentity {
  std::string path;      // the library file
  std::string id;        // reverse-DNS id
  std::string name;      // short name ("chrome")
  std::string version;   // plugin semver
  uint32_t abiMinor = 0; // the agreed minor
};

// A loaded, initialised plugin. Shared by every session it serves, so the library stays
// loaded while any of them lives; the destructor calls deinit() and unloads.
class LoadedPlugin {
public:
  // Loads `path` and runs the handshake only (no init); the identity says who it is.
  static Status open(const std::string& path, std::unique_ptr<LoadedPlugin>* out);

  // init() with `configJson`, then describe(); the plugin is usable only after this.
  Status initialise(const std::string& configJson, const HostServices& services);

  ~LoadedPlugin();
  LoadedPlugin(const LoadedPlugin&) = delete;
  LoadedPlugin& operator=(const LoadedPlugin&) = delete;

  // Who the plugin is.
  const PluginIdentity& identity() const noexcept { return identity_; }
  // Its short name.
  const std::string& name() const noexcept { return identity_.name; }
  // What it serves (valid after initialise()).
  const PluginDescription& description() const noexcept { return description_; }

  // negotiate(): OK with *matched and, if matched, the accepted capabilities JSON.
  Status negotiate(const std::string& capabilities, bool* matched, std::string* accepted) const;

  // launch(): OK with *session set and *reply = {"capabilities":..,"upstream":..}.
  Status launch(const std::string& sessionId, const std::string& capabilities,
                wdhost_session** session, std::string* reply) const;

  // True when the plugin has the in-process command hook.
  bool hasCommand() const noexcept { return vtable_.command != nullptr; }

  // command(): OK with *value = the W3C "value" JSON.
  Status command(wdhost_session* session, std::string_view method, std::string_view path,
                 std::string_view body, std::string* value) const;

  // warm() (ABI 1.1, optional): keep `count` drivers started ahead; OK and no-op without it.
  Status warm(uint32_t count) const;

  // teardown(): always frees the session; the Status only reports problems.
  Status teardown(wdhost_session* session) const;

private:
  LoadedPlugin() = default;
  Status describeNow();

  boost::dll::shared_library library_;
  wdhost_plugin_vtable vtable_{};
  PluginIdentity identity_;
  std::unique_ptr<HostTable> hostTable_;
  wdhost_plugin* instance_ = nullptr;
  PluginDescription description_;
};

} // namespace wdh
