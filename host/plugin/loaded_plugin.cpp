#include "plugin/loaded_plugin.h"

#include "core/log.h"
#include "plugin/plugin_reply.h"

#include "json/json.h"
#include <algorithm>
#include <boost/dll/import.hpp>
#include <boost/system/system_error.hpp>
#include <cstddef>
#include <cstring>

namespace wdh {
namespace {

// The end of the last slot ABI v1.0 requires (command may be NULL but must be in the table).
constexpr std::size_t kV1TableSize =
    offsetof(wdhost_plugin_vtable, teardown) + sizeof(wdhost_plugin_vtable::teardown);

// The extensions this host knows, asked of every plugin with get_extension at load.
constexpr const char* kKnownExtensions[] = {WDHOST_EXTENSION_WARM, WDHOST_EXTENSION_DISPLAY};

wdhost_str str(std::string_view s) noexcept {
  return wdhost_str{s.data(), s.size()};
}

std::string safeString(const char* text) {
  return text == nullptr ? std::string() : text;
}

bool validName(const std::string& name) {
  if (name.empty() || name.size() > 64)
    return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return false;
  return true;
}

// True when a table of `size` bytes holds the slot at `offset` of `bytes` bytes, and the minor
// agreed is at least `since`, the minor that added it.
bool offers(std::size_t size, uint32_t agreed, std::size_t offset, std::size_t bytes,
            uint32_t since) {
  return offset + bytes <= size && agreed >= since;
}

} // namespace

Status LoadedPlugin::open(const std::string& path, std::unique_ptr<LoadedPlugin>* out) {
  std::unique_ptr<LoadedPlugin> plugin(new LoadedPlugin());
  plugin->identity_.path = path;
  boost::dll::fs::error_code error;
  plugin->library_.load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local,
                        error);
  if (error)
    return Status(ErrorCode::UnknownError, "cannot load: " + error.message());
  if (!plugin->library_.has(WDHOST_ENTRY_SYMBOL))
    return Status(ErrorCode::UnknownError,
                  std::string("not a wdhost plugin: no exported symbol ") + WDHOST_ENTRY_SYMBOL);
  auto& entry = plugin->library_.get<wdhost_status(wdhost_negotiation*)>(WDHOST_ENTRY_SYMBOL);

  wdhost_negotiation io{};
  io.struct_size = sizeof io;
  io.host_abi_major = WDHOST_ABI_MAJOR;
  io.host_abi_minor = WDHOST_ABI_MINOR;
  wdhost_status rc = entry(&io);
  if (rc != WDHOST_OK || io.vtable == nullptr)
    return Status(ErrorCode::UnknownError,
                  "the plugin refused ABI " + std::to_string(WDHOST_ABI_MAJOR) + "." +
                      std::to_string(WDHOST_ABI_MINOR) + " (status " + std::to_string(rc) +
                      "): it was built for another major version");
  const wdhost_plugin_vtable* table = io.vtable;
  if (table->struct_size < kV1TableSize)
    return Status(ErrorCode::UnknownError, "the plugin table is " +
                                               std::to_string(table->struct_size) +
                                               " bytes, smaller than ABI v1 requires");
  std::memcpy(&plugin->vtable_, table,
              table->struct_size < sizeof(wdhost_plugin_vtable) ? table->struct_size
                                                                : sizeof(wdhost_plugin_vtable));
  const wdhost_plugin_vtable& vt = plugin->vtable_;
  // The minor is what both speak, whatever the plugin wrote back: min(host, plugin table).
  const uint32_t agreed = std::min<uint32_t>(WDHOST_ABI_MINOR, vt.abi_minor);
  plugin->identity_.id = safeString(vt.id);
  plugin->identity_.name = safeString(vt.name);
  plugin->identity_.version = safeString(vt.version);
  plugin->identity_.abiMinor = agreed;
  if (io.agreed_abi_minor != agreed)
    log(LogLevel::Warn, "plugins",
        path + ": the plugin's handshake agreed to ABI minor " +
            std::to_string(io.agreed_abi_minor) + ", not min(host " +
            std::to_string(WDHOST_ABI_MINOR) + ", plugin " + std::to_string(vt.abi_minor) +
            "); the host uses 1." + std::to_string(agreed),
        LogFields{{}, plugin->identity_.name});
  if (vt.init == nullptr || vt.deinit == nullptr || vt.describe == nullptr ||
      vt.negotiate == nullptr || vt.teardown == nullptr)
    return Status(ErrorCode::UnknownError, "the plugin table lacks a required function");
  const std::size_t size = table->struct_size;
  if (offers(size, agreed, offsetof(wdhost_plugin_vtable, launch_ctx), sizeof(vt.launch_ctx), 3))
    plugin->launchCtx_ = vt.launch_ctx;
  if (offers(size, agreed, offsetof(wdhost_plugin_vtable, command_ctx), sizeof(vt.command_ctx), 3))
    plugin->commandCtx_ = vt.command_ctx;
  if (offers(size, agreed, offsetof(wdhost_plugin_vtable, get_extension), sizeof(vt.get_extension),
             3))
    plugin->getExtension_ = vt.get_extension;
  // table() hands out only what was agreed.
  plugin->vtable_.launch_ctx = plugin->launchCtx_;
  plugin->vtable_.command_ctx = plugin->commandCtx_;
  plugin->vtable_.get_extension = plugin->getExtension_;
  if (!offers(size, agreed, offsetof(wdhost_plugin_vtable, warm), sizeof(vt.warm), 1))
    plugin->vtable_.warm = nullptr;
  if (vt.launch == nullptr && plugin->launchCtx_ == nullptr)
    return Status(ErrorCode::UnknownError, "the plugin table has neither launch nor launch_ctx");
  if (!validName(plugin->identity_.name))
    return Status(ErrorCode::UnknownError,
                  "the plugin name '" + plugin->identity_.name + "' is not [a-z0-9_-]{1,64}");
  if (plugin->identity_.id.empty())
    return Status(ErrorCode::UnknownError, "the plugin has no id");
  *out = std::move(plugin);
  return Status::ok();
}

Status LoadedPlugin::openIsolated(const RemotePluginSettings& settings,
                                  std::unique_ptr<LoadedPlugin>* out) {
  std::unique_ptr<LoadedPlugin> plugin(new LoadedPlugin());
  Status status = RemotePlugin::start(settings, &plugin->remote_);
  if (!status.isOk())
    return status;
  const RemotePlugin& remote = *plugin->remote_;
  plugin->identity_.path = settings.libraryPath;
  plugin->identity_.id = remote.identity().id;
  plugin->identity_.name = remote.identity().name;
  plugin->identity_.version = remote.identity().version;
  plugin->identity_.abiMinor = remote.identity().abiMinor;
  // The calls go to the helper through a table of the same shape: everything below it (replies,
  // their misuse, the launch reply's keys) is checked here exactly as for a plugin in process.
  plugin->vtable_ = remotePluginTable();
  if (!remote.hasCommand()) {
    plugin->vtable_.command = nullptr;
    plugin->vtable_.command_ctx = nullptr;
  }
  plugin->launchCtx_ = plugin->vtable_.launch_ctx;
  plugin->commandCtx_ = plugin->vtable_.command_ctx;
  // Its extensions, found after init like an in-process plugin's, run in the helper too.
  plugin->getExtension_ = plugin->vtable_.get_extension;
  *out = std::move(plugin);
  return Status::ok();
}

Status LoadedPlugin::initialise(const std::string& configJson, const HostServices& services) {
  hostTable_ = std::make_unique<HostTable>(identity_.name, services, identity_.abiMinor);
  PluginReply reply;
  wdhost_plugin* instance = nullptr;
  wdhost_status rc = remote_ != nullptr
                         ? remote_->init(hostTable_->table(), configJson, &instance, &reply)
                         : vtable_.init(hostTable_->table(), str(configJson), &instance, &reply);
  Status status = finish(rc, reply, "init", ErrorCode::UnknownError, false);
  if (!status.isOk())
    return status;
  if (instance == nullptr)
    return Status(ErrorCode::UnknownError, "init returned OK without an instance");
  instance_ = instance;
  findExtensions();
  return describeNow();
}

void LoadedPlugin::findExtensions() {
  if (getExtension_ == nullptr)
    return;
  for (const char* id : kKnownExtensions) {
    const void* table = getExtension_(instance_, id);
    if (table == nullptr)
      continue;
    if (std::strcmp(id, WDHOST_EXTENSION_WARM) == 0) {
      auto warm = static_cast<const wdhost_warm_extension*>(table);
      if (warm->struct_size < offsetof(wdhost_warm_extension, warm) + sizeof(warm->warm) ||
          warm->warm == nullptr) {
        log(LogLevel::Warn, "plugins",
            name() + ": its " + id + " table is too short or has no warm function; ignored",
            LogFields{{}, name()});
        continue;
      }
      warmExtension_ = warm;
    }
    if (std::strcmp(id, WDHOST_EXTENSION_DISPLAY) == 0) {
      auto display = static_cast<const wdhost_display_extension*>(table);
      if (display->struct_size <
              offsetof(wdhost_display_extension, display) + sizeof(display->display) ||
          display->display == nullptr) {
        log(LogLevel::Warn, "plugins",
            name() + ": its " + id + " table is too short or has no display function; ignored",
            LogFields{{}, name()});
        continue;
      }
      displayExtension_ = display;
    }
    extensions_.emplace_back(id);
  }
}

Status LoadedPlugin::describeNow() {
  PluginReply reply;
  wdhost_status rc = vtable_.describe(instance_, &reply);
  Status status = finish(rc, reply, "describe", ErrorCode::UnknownError, true);
  if (!status.isOk())
    return status;
  auto doc = std::make_shared<rapidjson::Document>();
  status = parseJsonObject(reply.json, doc.get());
  if (!status.isOk())
    return status.withContext("describe returned malformed JSON");
  std::string error;
  if (!readDescription(*doc, &description_, &error))
    return Status(ErrorCode::UnknownError, error);
  description_.document = std::move(doc);
  return Status::ok();
}

LoadedPlugin::~LoadedPlugin() {
  if (instance_ != nullptr)
    vtable_.deinit(instance_);
  instance_ = nullptr;
  remote_.reset(); // ends the helper (after deinit, before the host table goes)
}

Status LoadedPlugin::finish(wdhost_status rc, const PluginReply& reply, const std::string& what,
                            ErrorCode fallback, bool needJson) const {
  for (const std::string& misuse : replyMisuse(rc, reply, fallback))
    log(LogLevel::Warn, "plugins", name() + ": " + what + " " + misuse, LogFields{{}, name()});
  // A session's launch and commands answer clients: their errors name the plugin only.
  bool clientFacing = what == "launch" || what == "command";
  return replyStatus(rc, reply, clientFacing ? name() : name() + ": " + what, fallback, needJson);
}

Status LoadedPlugin::negotiate(const std::string& capabilities, bool* matched,
                               std::string* accepted) const {
  PluginReply reply;
  wdhost_status rc = vtable_.negotiate(instance_, str(capabilities), &reply);
  *matched = false;
  if (rc == WDHOST_NO_MATCH) {
    if (reply.kind != PluginReply::Kind::None || reply.ignoredCalls > 0)
      log(LogLevel::Warn, "plugins",
          name() + ": negotiate answered NO_MATCH together with a reply; the reply was ignored",
          LogFields{{}, name()});
    return Status::ok();
  }
  Status status = finish(rc, reply, "negotiate", ErrorCode::InvalidArgument, true);
  // New Session fails only as invalid argument or session not created (WebDriver §8.1).
  if (!status.isOk() && status.code() != ErrorCode::InvalidArgument)
    return Status(ErrorCode::SessionNotCreated, status.message());
  if (!status.isOk())
    return status;
  rapidjson::Document doc;
  status = parseJsonObject(reply.json, &doc);
  if (!status.isOk())
    return Status(ErrorCode::SessionNotCreated,
                  name() + ": negotiate returned malformed JSON: " + status.message());
  *matched = true;
  *accepted = std::move(reply.json);
  return Status::ok();
}

Status LoadedPlugin::launch(const std::string& sessionId, const std::string& capabilities,
                            const CallContext& context, wdhost_session** session,
                            std::string* result) const {
  PluginReply reply;
  wdhost_session* created = nullptr;
  wdhost_status rc = launchCtx_ != nullptr ? launchCtx_(instance_, context.table(), str(sessionId),
                                                        str(capabilities), &created, &reply)
                                           : vtable_.launch(instance_, str(sessionId),
                                                            str(capabilities), &created, &reply);
  Status status = finish(rc, reply, "launch", ErrorCode::SessionNotCreated, true);
  if (status.isOk() && created == nullptr)
    status = Status(ErrorCode::SessionNotCreated, name() + ": launch returned no session");
  if (!status.isOk()) {
    if (status.code() != ErrorCode::SessionNotCreated)
      status = Status(ErrorCode::SessionNotCreated, status.message());
    return status;
  }
  std::vector<std::string> unknown = unknownLaunchReplyKeys(reply.json);
  if (!unknown.empty()) {
    std::string keys;
    for (const std::string& key : unknown)
      keys += (keys.empty() ? "\"" : ", \"") + key + "\"";
    log(LogLevel::Warn, "plugins",
        name() + ": launch replied with " + keys +
            ", which the contract does not name (plugin.h: \"capabilities\", \"upstream\", "
            "\"cdp\"); ignored",
        LogFields{sessionId, name()});
  }
  *session = created;
  *result = std::move(reply.json);
  return Status::ok();
}

Status LoadedPlugin::launch(const std::string& sessionId, const std::string& capabilities,
                            wdhost_session** session, std::string* reply) const {
  CallContext unbounded(std::chrono::milliseconds(0));
  return launch(sessionId, capabilities, unbounded, session, reply);
}

bool LoadedPlugin::takesContext() const noexcept {
  return remote_ != nullptr ? remote_->takesContext() : launchCtx_ != nullptr;
}

bool LoadedPlugin::hasCommand() const noexcept {
  return vtable_.command != nullptr || commandCtx_ != nullptr;
}

Status LoadedPlugin::command(wdhost_session* session, std::string_view method,
                             std::string_view path, std::string_view body,
                             const CallContext& context, std::string* value) const {
  if (!hasCommand())
    return Status(ErrorCode::UnknownCommand, name() + " serves no in-process commands");
  PluginReply reply;
  wdhost_status rc =
      commandCtx_ != nullptr
          ? commandCtx_(session, context.table(), str(method), str(path), str(body), &reply)
          : vtable_.command(session, str(method), str(path), str(body), &reply);
  Status status = finish(rc, reply, "command", ErrorCode::UnknownError, true);
  if (status.isOk())
    *value = std::move(reply.json);
  return status;
}

Status LoadedPlugin::command(wdhost_session* session, std::string_view method,
                             std::string_view path, std::string_view body,
                             std::string* value) const {
  CallContext unbounded(std::chrono::milliseconds(0));
  return command(session, method, path, body, unbounded, value);
}

Status LoadedPlugin::warm(uint32_t count) const {
  PluginReply reply;
  wdhost_status rc = WDHOST_OK;
  if (getExtension_ != nullptr) {
    if (warmExtension_ == nullptr)
      return Status::ok();
    rc = warmExtension_->warm(instance_, count, &reply);
  } else if (vtable_.warm != nullptr) {
    rc = vtable_.warm(instance_, count, &reply);
  } else {
    return Status::ok();
  }
  return finish(rc, reply, "warm", ErrorCode::UnknownError, false);
}

Status LoadedPlugin::display(wdhost_session* session, std::string* json) const {
  if (displayExtension_ == nullptr) {
    *json = "null";
    return Status::ok();
  }
  PluginReply reply;
  wdhost_status rc = displayExtension_->display(session, &reply);
  Status status = finish(rc, reply, "display", ErrorCode::UnknownError, true);
  if (status.isOk())
    *json = reply.json;
  return status;
}

Status LoadedPlugin::teardown(wdhost_session* session) const {
  PluginReply reply;
  wdhost_status rc = vtable_.teardown(session, &reply);
  return finish(rc, reply, "teardown", ErrorCode::UnknownError, false);
}

} // namespace wdh
