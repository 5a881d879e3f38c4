// An isolated plugin, seen from the host: its helper process (restarted after a crash, with a
// back-off), the plugin's calls forwarded to it, and how often it crashed.
#pragma once

#include "core/status.h"
#include "plugin/helper_process.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>
#include <wdhost/plugin.h>

namespace wdh {

class ProcessSupervisor;

// Where and how to run one isolated plugin.
struct RemotePluginSettings {
  std::string libraryPath;                // the plugin's .so
  std::string helperPath;                 // the wdhost-plugin-host executable
  ProcessSupervisor* processes = nullptr; // runs the helper; outlives the plugin
};

// What the host saw of an isolated plugin's helper, for /status.
struct RemotePluginHealth {
  std::uint64_t crashes = 0; // helpers that ended by themselves or were ended for hanging
  std::string lastCrash;     // how the last one ended, "" before any
  std::uint64_t pid = 0;     // the running helper's pid, 0 when none runs
};

// The host's side of one isolated plugin. The calls below have the shape and contract of the
// plugin table's slots (plugin.h) and are reached through remotePluginTable(); each is
// thread-safe as its slot is, answers in `reply`, and never throws.
class RemotePlugin {
public:
  // Starts the helper and takes the plugin's identity from its hello.
  static Status start(const RemotePluginSettings& settings, std::unique_ptr<RemotePlugin>* out);
  // Deinit (if init ran) and ends the helper.
  ~RemotePlugin();
  RemotePlugin(const RemotePlugin&) = delete;
  RemotePlugin& operator=(const RemotePlugin&) = delete;

  // What the helper said of the plugin when it first loaded it.
  const HelperHello& identity() const noexcept { return hello_; }
  // True when the plugin has the command hook.
  bool hasCommand() const noexcept { return (hello_.flags & kHelloHasCommand) != 0; }
  // True when the plugin itself has launch_ctx (ABI 1.3).
  bool takesContext() const noexcept { return (hello_.flags & kHelloTakesContext) != 0; }
  // Crashes so far.
  RemotePluginHealth health() const;

  // init(): `host` (the host's table for this plugin, valid until deinit) gets the plugin's log
  // lines; `config` is kept to initialise a restarted helper the same way.
  wdhost_status init(const wdhost_host* host, const std::string& config, wdhost_plugin** out,
                     wdhost_reply* reply);
  // deinit(): the helper deinitialises the plugin and ends.
  void deinit();
  // describe(), negotiate(), launch_ctx(), command_ctx(), teardown(), as in plugin.h.
  wdhost_status describe(wdhost_reply* reply);
  wdhost_status negotiate(wdhost_str capabilities, wdhost_reply* reply);
  wdhost_status launch(const wdhost_call_context* context, wdhost_str sessionId,
                       wdhost_str capabilities, wdhost_session** out, wdhost_reply* reply);
  // command and teardown reach their RemotePlugin through the session handle.
  static wdhost_status command(wdhost_session* session, const wdhost_call_context* context,
                               wdhost_str method, wdhost_str path, wdhost_str body,
                               wdhost_reply* reply);
  static wdhost_status teardown(wdhost_session* session, wdhost_reply* reply);

  // True when the plugin answered extension `id` (asked once, after its first init).
  bool offers(std::string_view id) const;
  // "wdhost.warm/1" and "wdhost.display/1", run in the helper.
  wdhost_status warm(std::uint32_t count, wdhost_reply* reply);
  static wdhost_status display(wdhost_session* session, wdhost_reply* reply);

  // The RemotePlugin behind an instance pointer init() handed out.
  static RemotePlugin* of(wdhost_plugin* instance) noexcept;

private:
  RemotePlugin() = default;
  // The running helper, restarted when the last one ended and its back-off passed; null with
  // *why when there is none to use now.
  std::shared_ptr<HelperProcess> usableHelper(std::string* why);
  // A call that needs nothing but the helper: `type` filled by `fill`, answered by the plugin's
  // reply; `error` (a W3C code) when there is no helper or it ended during the call.
  wdhost_status plainCall(ChannelMessage type, const std::function<void(FrameBuilder&)>& fill,
                          const char* what, const char* error, wdhost_reply* reply);
  // Starts and initialises a helper (mutex_ held).
  Status startHelper(std::shared_ptr<HelperProcess>* out);
  // Counts the end of `helper` as a crash, once, and logs it.
  void noteEnded(const HelperProcess* helper, const std::string& reason);
  // Has `helper` tell noteEnded() of its own end as soon as it happens, idle or not.
  void watchEnd(const std::shared_ptr<HelperProcess>& helper);
  // An answer for a call the helper ended under: ERROR with `code` naming the crash.
  wdhost_status crashed(const std::shared_ptr<HelperProcess>& helper, const HelperAnswer& answer,
                        const char* call, const char* code, wdhost_reply* reply);

  RemotePluginSettings settings_;
  HelperHello hello_;
  std::string config_;
  const wdhost_host* host_ = nullptr;
  mutable std::mutex mutex_;
  std::shared_ptr<HelperProcess> helper_;
  std::chrono::steady_clock::time_point helperStarted_;
  bool helperCounted_ = false; // the end of helper_ was counted
  bool initialised_ = false;
  std::vector<std::string> extensions_; // what the plugin answered of the known extensions
  std::chrono::steady_clock::time_point lastEnd_;
  unsigned consecutive_ = 0; // crashes of helpers that lived less than a minute, in a row
  RemotePluginHealth health_;
};

// The plugin table whose slots forward to a RemotePlugin (init is called on it directly).
const wdhost_plugin_vtable& remotePluginTable() noexcept;

} // namespace wdh
