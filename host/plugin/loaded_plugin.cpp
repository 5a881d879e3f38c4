#include "plugin/loaded_plugin.h"

#include "core/log.h"
#include "plugin/plugin_reply.h"

#include "json/json.h"
#include <boost/dll/import.hpp>
#include <boost/system/system_error.hpp>
#include <cstddef>
#include <cstring>

namespace wdh {
namespace {

// The end of the last slot ABI v1.0 requires (command may be NULL but must be in the table).
constexpr std::size_t kV1TableSize =
    offsetof(wdhost_plugin_vtable, teardown) + sizeof(wdhost_plugin_vtable::teardown);

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
  if (io.agreed_abi_minor > WDHOST_ABI_MINOR)
    return Status(ErrorCode::UnknownError, "the plugin agreed to ABI minor " +
                                               std::to_string(io.agreed_abi_minor) +
                                               ", newer than this host's");
  const wdhost_plugin_vtable* table = io.vtable;
  if (table->struct_size < kV1TableSize)
    return Status(ErrorCode::UnknownError, "the plugin table is " +
                                               std::to_string(table->struct_size) +
                                               " bytes, smaller than ABI v1 requires");
  std::memcpy(&plugin->vtable_, table,
              table->struct_size < sizeof(wdhost_plugin_vtable) ? table->struct_size
                                                                : sizeof(wdhost_plugin_vtable));
  const wdhost_plugin_vtable& vt = plugin->vtable_;
  if (vt.init == nullptr || vt.deinit == nullptr || vt.describe == nullptr ||
      vt.negotiate == nullptr || vt.launch == nullptr || vt.teardown == nullptr)
    return Status(ErrorCode::UnknownError, "the plugin table lacks a required function");
  plugin->identity_.id = safeString(vt.id);
  plugin->identity_.name = safeString(vt.name);
  plugin->identity_.version = safeString(vt.version);
  plugin->identity_.abiMinor = io.agreed_abi_minor;
  if (!validName(plugin->identity_.name))
    return Status(ErrorCode::UnknownError,
                  "the plugin name '" + plugin->identity_.name + "' is not [a-z0-9_-]{1,64}");
  if (plugin->identity_.id.empty())
    return Status(ErrorCode::UnknownError, "the plugin has no id");
  *out = std::move(plugin);
  return Status::ok();
}

Status LoadedPlugin::initialise(const std::string& configJson, const HostServices& services) {
  hostTable_ = std::make_unique<HostTable>(identity_.name, services, identity_.abiMinor);
  PluginReply reply;
  wdhost_plugin* instance = nullptr;
  wdhost_status rc = vtable_.init(hostTable_->table(), str(configJson), &instance, &reply);
  Status status = replyStatus(rc, reply, "init", ErrorCode::UnknownError, false);
  if (!status.isOk())
    return status;
  if (instance == nullptr)
    return Status(ErrorCode::UnknownError, "init returned OK without an instance");
  instance_ = instance;
  return describeNow();
}

Status LoadedPlugin::describeNow() {
  PluginReply reply;
  wdhost_status rc = vtable_.describe(instance_, &reply);
  Status status = replyStatus(rc, reply, "describe", ErrorCode::UnknownError, true);
  if (!status.isOk())
    return status;
  auto doc = std::make_shared<rapidjson::Document>();
  status = parseJsonObject(reply.json, doc.get());
  if (!status.isOk())
    return status.withContext("describe returned malformed JSON");
  std::string error;
  if (!wdhost::Description::fromJson(*doc, &description_, &error))
    return Status(ErrorCode::UnknownError, error);
  description_.document = std::move(doc);
  return Status::ok();
}

LoadedPlugin::~LoadedPlugin() {
  if (instance_ != nullptr)
    vtable_.deinit(instance_);
  instance_ = nullptr;
}

Status LoadedPlugin::negotiate(const std::string& capabilities, bool* matched,
                               std::string* accepted) const {
  PluginReply reply;
  wdhost_status rc = vtable_.negotiate(instance_, str(capabilities), &reply);
  *matched = false;
  if (rc == WDHOST_NO_MATCH)
    return Status::ok();
  Status status = replyStatus(rc, reply, name() + ": negotiate", ErrorCode::InvalidArgument, true);
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
                            wdhost_session** session, std::string* result) const {
  PluginReply reply;
  wdhost_session* created = nullptr;
  wdhost_status rc = vtable_.launch(instance_, str(sessionId), str(capabilities), &created, &reply);
  Status status = replyStatus(rc, reply, name(), ErrorCode::SessionNotCreated, true);
  if (status.isOk() && created == nullptr)
    status = Status(ErrorCode::SessionNotCreated, name() + ": launch returned no session");
  if (!status.isOk()) {
    if (status.code() != ErrorCode::SessionNotCreated)
      status = Status(ErrorCode::SessionNotCreated, status.message());
    return status;
  }
  *session = created;
  *result = std::move(reply.json);
  return Status::ok();
}

Status LoadedPlugin::command(wdhost_session* session, std::string_view method,
                             std::string_view path, std::string_view body,
                             std::string* value) const {
  if (vtable_.command == nullptr)
    return Status(ErrorCode::UnknownCommand, name() + " serves no in-process commands");
  PluginReply reply;
  wdhost_status rc = vtable_.command(session, str(method), str(path), str(body), &reply);
  Status status = replyStatus(rc, reply, name(), ErrorCode::UnknownError, true);
  if (status.isOk())
    *value = std::move(reply.json);
  return status;
}

Status LoadedPlugin::warm(uint32_t count) const {
  if (vtable_.warm == nullptr)
    return Status::ok();
  PluginReply reply;
  wdhost_status rc = vtable_.warm(instance_, count, &reply);
  return replyStatus(rc, reply, name() + ": warm", ErrorCode::UnknownError, false);
}

Status LoadedPlugin::teardown(wdhost_session* session) const {
  PluginReply reply;
  wdhost_status rc = vtable_.teardown(session, &reply);
  return replyStatus(rc, reply, name() + ": teardown", ErrorCode::UnknownError, false);
}

} // namespace wdh
