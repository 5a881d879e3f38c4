// The plugin table of an isolated plugin: each slot forwards to its RemotePlugin, which runs
// the call in the plugin's helper process.
#include "plugin/remote_plugin.h"

#include <cstring>
#include <wdhost/extension_display.h>
#include <wdhost/extension_warm.h>

namespace wdh {
namespace {

wdhost_status WDHOST_CALL remoteInit(const wdhost_host*, wdhost_str, wdhost_plugin**,
                                     wdhost_reply* reply) {
  // LoadedPlugin::initialise calls RemotePlugin::init itself, with the RemotePlugin in hand.
  const char code[] = WDHOST_W3C_UNKNOWN_ERROR;
  const char message[] = "an isolated plugin is initialised through its RemotePlugin";
  replyError(reply, wdhost_str{code, sizeof code - 1}, wdhost_str{message, sizeof message - 1});
  return WDHOST_ERROR;
}

void WDHOST_CALL remoteDeinit(wdhost_plugin* plugin) {
  RemotePlugin::of(plugin)->deinit();
}

wdhost_status WDHOST_CALL remoteDescribe(wdhost_plugin* plugin, wdhost_reply* reply) {
  return RemotePlugin::of(plugin)->describe(reply);
}

wdhost_status WDHOST_CALL remoteNegotiate(wdhost_plugin* plugin, wdhost_str capabilities,
                                          wdhost_reply* reply) {
  return RemotePlugin::of(plugin)->negotiate(capabilities, reply);
}

wdhost_status WDHOST_CALL remoteLaunch(wdhost_plugin* plugin, wdhost_str sessionId,
                                       wdhost_str capabilities, wdhost_session** out,
                                       wdhost_reply* reply) {
  return RemotePlugin::of(plugin)->launch(nullptr, sessionId, capabilities, out, reply);
}

wdhost_status WDHOST_CALL remoteLaunchCtx(wdhost_plugin* plugin, const wdhost_call_context* context,
                                          wdhost_str sessionId, wdhost_str capabilities,
                                          wdhost_session** out, wdhost_reply* reply) {
  return RemotePlugin::of(plugin)->launch(context, sessionId, capabilities, out, reply);
}

wdhost_status WDHOST_CALL remoteCommandCtx(wdhost_session* session,
                                           const wdhost_call_context* context, wdhost_str method,
                                           wdhost_str path, wdhost_str body, wdhost_reply* reply) {
  return RemotePlugin::command(session, context, method, path, body, reply);
}

wdhost_status WDHOST_CALL remoteCommand(wdhost_session* session, wdhost_str method, wdhost_str path,
                                        wdhost_str body, wdhost_reply* reply) {
  return RemotePlugin::command(session, nullptr, method, path, body, reply);
}

wdhost_status WDHOST_CALL remoteTeardown(wdhost_session* session, wdhost_reply* reply) {
  return RemotePlugin::teardown(session, reply);
}

wdhost_status WDHOST_CALL remoteWarm(wdhost_plugin* plugin, uint32_t count, wdhost_reply* reply) {
  return RemotePlugin::of(plugin)->warm(count, reply);
}

wdhost_status WDHOST_CALL remoteDisplay(wdhost_session* session, wdhost_reply* reply) {
  return RemotePlugin::display(session, reply);
}

// The extensions as the host sees them: each forwards to the helper, which calls the plugin's.
const wdhost_warm_extension kWarm{sizeof(wdhost_warm_extension), &remoteWarm};
const wdhost_display_extension kDisplay{sizeof(wdhost_display_extension), &remoteDisplay};

const void* WDHOST_CALL remoteGetExtension(wdhost_plugin* plugin, const char* id) {
  if (plugin == nullptr || id == nullptr || !RemotePlugin::of(plugin)->offers(id))
    return nullptr;
  if (std::strcmp(id, WDHOST_EXTENSION_WARM) == 0)
    return &kWarm;
  if (std::strcmp(id, WDHOST_EXTENSION_DISPLAY) == 0)
    return &kDisplay;
  return nullptr;
}

wdhost_plugin_vtable makeTable() noexcept {
  wdhost_plugin_vtable table{};
  table.struct_size = sizeof table;
  table.abi_minor = WDHOST_ABI_MINOR;
  table.init = &remoteInit;
  table.deinit = &remoteDeinit;
  table.describe = &remoteDescribe;
  table.negotiate = &remoteNegotiate;
  table.launch = &remoteLaunch;
  table.command = &remoteCommand;
  table.teardown = &remoteTeardown;
  table.launch_ctx = &remoteLaunchCtx;
  table.command_ctx = &remoteCommandCtx;
  table.get_extension = &remoteGetExtension;
  return table;
}

} // namespace

const wdhost_plugin_vtable& remotePluginTable() noexcept {
  static const wdhost_plugin_vtable table = makeTable();
  return table;
}

} // namespace wdh
