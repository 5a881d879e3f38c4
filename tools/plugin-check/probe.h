// A plugin reached through its raw C ABI, as the host reaches it: the library, the
// handshake, and each table function called with a host-owned reply that is kept for
// inspection. Every call's result is checked against the error contract.
#pragma once

#include "plugin/call_context.h"
#include "plugin/plugin_reply.h"
#include "watched_host.h"

#include <boost/dll/shared_library.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <vector>
#include <wdhost/plugin.h>

namespace check {

// The end of the last slot ABI v1.0 requires.
constexpr std::size_t kV1TableSize =
    offsetof(wdhost_plugin_vtable, teardown) + sizeof(wdhost_plugin_vtable::teardown);

// What one plugin function answered.
struct Call {
  wdhost_status rc = -1;  // its return code
  wdh::PluginReply reply; // what it put in the host-owned reply
  double ms = 0;          // how long it took
};

// The loaded library and its entry point.
class Library {
public:
  // Loads `path` like the host (RTLD_NOW | RTLD_LOCAL) and finds the entry symbol.
  static std::unique_ptr<Library> open(const std::string& path, std::string* error);
  // Calls the entry with a block of `structSize` bytes claiming `major`.`minor`. The block is
  // embedded in a larger zero-filled buffer; *untouched says whether bytes past structSize
  // kept their sentinel value.
  wdhost_status handshake(uint32_t major, uint32_t minor, uint32_t structSize,
                          wdhost_negotiation* out, bool* untouched = nullptr) const;
  // Handshakes at the host's version and copies the plugin table (at most our size);
  // false with *error when the host would refuse the plugin.
  bool table(wdhost_plugin_vtable* out, uint32_t* agreedMinor, std::string* error) const;
  // Unloads the library (dlclose).
  void unload() { library_.unload(); }

private:
  Library() = default;
  boost::dll::shared_library library_;
  wdhost_plugin_entry_fn entry_ = nullptr;
};

// One plugin instance created through init(); deinit() in the destructor.
class Instance {
public:
  // init() with `config` and a watched host table (grown by `extraHostBytes` when > 0).
  // On failure returns nullptr with *error the contract-checked reason.
  static std::unique_ptr<Instance> create(const Library& library, WatchedHost& host,
                                          const std::string& config, std::string* error,
                                          std::size_t extraHostBytes = 0);
  ~Instance();
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  // describe(); the JSON is checked to name a browserName.
  Call describe();
  // negotiate(capabilities).
  Call negotiate(const std::string& capabilities);
  // launch_ctx() with `context` (one with no deadline when null), or launch() for a plugin
  // without launch_ctx; *session set when OK.
  Call launch(const std::string& sessionId, const std::string& capabilities,
              wdhost_session** session, const wdh::CallContext* context = nullptr);
  // command_ctx() or command(); only when the plugin has the hook.
  Call command(wdhost_session* session, const std::string& method, const std::string& path,
               const std::string& body);
  // True when the plugin has the in-process command hook (command or command_ctx).
  bool hasCommand() const noexcept { return vtable_.command != nullptr || commandCtx_ != nullptr; }
  // True when the plugin takes the call context (launch_ctx, ABI 1.3).
  bool takesContext() const noexcept { return launchCtx_ != nullptr; }
  // True when the plugin has get_extension (ABI 1.3).
  bool hasGetExtension() const noexcept { return getExtension_ != nullptr; }
  // get_extension(id): the plugin's table, or null (also without get_extension).
  const void* extension(const char* id) const;
  // teardown().
  Call teardown(wdhost_session* session);

  // The plugin table.
  const wdhost_plugin_vtable& vtable() const noexcept { return vtable_; }
  // How long init() took, in ms.
  double initMs() const noexcept { return initMs_; }
  // Every breach of the error contract seen so far ("negotiate: ERROR without a W3C code").
  std::vector<std::string> violations() const;

private:
  Instance(const wdhost_plugin_vtable& vtable, uint32_t agreedMinor,
           std::unique_ptr<WatchedTable> table);
  // Records a breach if `call` broke the contract. `allowNoMatch` for negotiate;
  // `needJson` when OK must carry a JSON result.
  void audit(const char* what, const Call& call, bool allowNoMatch, bool needJson);

  wdhost_plugin_vtable vtable_{};
  // The 1.3 slots, null unless the plugin has them and agreed to 1.3.
  decltype(wdhost_plugin_vtable::launch_ctx) launchCtx_ = nullptr;
  decltype(wdhost_plugin_vtable::command_ctx) commandCtx_ = nullptr;
  decltype(wdhost_plugin_vtable::get_extension) getExtension_ = nullptr;
  std::unique_ptr<WatchedTable> table_;
  wdhost_plugin* plugin_ = nullptr;
  double initMs_ = 0;
  mutable std::mutex mutex_;
  std::vector<std::string> violations_;
};

// The breach of the error contract in (rc, reply), or "" when there is none.
std::string contractBreach(wdhost_status rc, const wdh::PluginReply& reply, bool allowNoMatch,
                           bool needJson);

// Milliseconds since `start`.
double msSince(std::chrono::steady_clock::time_point start);

} // namespace check
