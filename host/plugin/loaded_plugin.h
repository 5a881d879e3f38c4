// One plugin library, loaded with Boost.DLL, handshaken, initialised and described.
#pragma once

#include "core/status.h"
#include "plugin/call_context.h"
#include "plugin/description_reader.h"
#include "plugin/host_table.h"
#include "plugin/plugin_reply.h"
#include "plugin/remote_plugin.h"

#include <boost/dll/shared_library.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>
#include <wdhost/description.hpp>
#include <wdhost/plugin.h>

namespace wdh {

// A browser the plugin found installed, from its describe() reply.
using InstalledBrowser = wdhost::ProgramFound;

// What describe() said, read once at load (readDescription); the reply is kept parsed for
// /status.
struct PluginDescription : wdhost::Description {
  std::shared_ptr<const rapidjson::Document> document; // the reply as the plugin sent it
};

// The outcome of the entry handshake, before init(): enough to list or select the plugin.
struct PluginIdentity {
  std::string path;      // the library file
  std::string id;        // reverse-DNS id
  std::string name;      // short name ("chrome")
  std::string version;   // plugin semver
  uint32_t abiMinor = 0; // the agreed minor: min(host minor, the plugin table's minor)
};

// A loaded, initialised plugin. Shared by every session it serves, so the library stays
// loaded while any of them lives; the destructor calls deinit() and unloads.
class LoadedPlugin {
public:
  // Loads `path` and runs the handshake only (no init); the identity says who it is.
  static Status open(const std::string& path, std::unique_ptr<LoadedPlugin>* out);
  // Starts wdhost-plugin-host for `settings.libraryPath` and runs the handshake there; every
  // later call goes over its channel (remote_plugin.h), the library never enters this process.
  static Status openIsolated(const RemotePluginSettings& settings,
                             std::unique_ptr<LoadedPlugin>* out);

  // init() with `configJson`, then describe(); the plugin is usable only after this.
  Status initialise(const std::string& configJson, const HostServices& services);

  ~LoadedPlugin();
  LoadedPlugin(const LoadedPlugin&) = delete;
  LoadedPlugin& operator=(const LoadedPlugin&) = delete;

  // Who the plugin is.
  const PluginIdentity& identity() const noexcept { return identity_; }
  // The plugin's table as the host may use it: the slots of minors it did not agree to are
  // null. For wdhost-plugin-host, which calls the plugin itself; valid while this object lives.
  const wdhost_plugin_vtable& table() const noexcept { return vtable_; }
  // The helper process behind an isolated plugin, or null when it runs in this process.
  const RemotePlugin* remote() const noexcept { return remote_.get(); }
  // Its short name.
  const std::string& name() const noexcept { return identity_.name; }
  // What it serves (valid after initialise()).
  const PluginDescription& description() const noexcept { return description_; }

  // negotiate(): OK with *matched and, if matched, the accepted capabilities JSON.
  Status negotiate(const std::string& capabilities, bool* matched, std::string* accepted) const;

  // launch_ctx() with `context` (never null; the host's deadline and cancel flag), or launch()
  // for a plugin without launch_ctx (1.0-1.2): OK with *session set and *reply the launch
  // reply. Logs reply keys the contract does not name. Thread-safe.
  Status launch(const std::string& sessionId, const std::string& capabilities,
                const CallContext& context, wdhost_session** session, std::string* reply) const;
  // launch() with a context that has no deadline and is never cancelled.
  Status launch(const std::string& sessionId, const std::string& capabilities,
                wdhost_session** session, std::string* reply) const;

  // True when the plugin has the in-process command hook (command or command_ctx).
  bool hasCommand() const noexcept;
  // True when the plugin takes the call context (launch_ctx; ABI 1.3). An isolated plugin is
  // always called through launch_ctx, so that the host can bound its helper's call.
  bool takesContext() const noexcept;

  // command_ctx() with `context`, or command() without one: OK with *value = the W3C "value"
  // JSON. Serialised per session by the caller.
  Status command(wdhost_session* session, std::string_view method, std::string_view path,
                 std::string_view body, const CallContext& context, std::string* value) const;
  // command() with a context that has no deadline and is never cancelled.
  Status command(wdhost_session* session, std::string_view method, std::string_view path,
                 std::string_view body, std::string* value) const;

  // Keep `count` drivers started ahead: the extension "wdhost.warm/1" of a plugin with
  // get_extension, else the 1.1 slot warm; OK and a no-op when it has neither.
  Status warm(uint32_t count) const;

  // Where `session`'s browser is shown (the extension "wdhost.display/1"): OK with *json the
  // plugin's answer ({"x11": ":N", "width": W, "height": H} or null); OK with "null" when the
  // plugin has no such extension. Between launch and teardown only.
  Status display(wdhost_session* session, std::string* json) const;

  // The extension ids (of those the host knows) the plugin answered at load, e.g.
  // "wdhost.warm/1".
  const std::vector<std::string>& extensions() const noexcept { return extensions_; }

  // teardown(): always frees the session; the Status only reports problems.
  Status teardown(wdhost_session* session) const;

private:
  LoadedPlugin() = default;
  Status describeNow();
  // Asks get_extension for every extension id the host knows (after init).
  void findExtensions();
  // replyStatus() for call `what` ("launch"), and every misuse of the reply logged with the
  // plugin's name.
  Status finish(wdhost_status rc, const PluginReply& reply, const std::string& what,
                ErrorCode fallback, bool needJson) const;

  boost::dll::shared_library library_;
  std::unique_ptr<RemotePlugin> remote_; // set when isolated; then library_ is empty
  wdhost_plugin_vtable vtable_{}; // the plugin's table; slots past it (or its minor) are null
  // The 1.3 slots, null unless the plugin has them and agreed to 1.3.
  decltype(wdhost_plugin_vtable::launch_ctx) launchCtx_ = nullptr;
  decltype(wdhost_plugin_vtable::command_ctx) commandCtx_ = nullptr;
  decltype(wdhost_plugin_vtable::get_extension) getExtension_ = nullptr;
  const wdhost_warm_extension* warmExtension_ = nullptr;       // "wdhost.warm/1", when answered
  const wdhost_display_extension* displayExtension_ = nullptr; // "wdhost.display/1"
  std::vector<std::string> extensions_;
  PluginIdentity identity_;
  std::unique_ptr<HostTable> hostTable_;
  wdhost_plugin* instance_ = nullptr;
  PluginDescription description_;
};

} // namespace wdh
