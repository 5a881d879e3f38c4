#include "probe.h"

#include "core/status.h"

#include <boost/dll/import.hpp>
#include <chrono>
#include <cstring>

namespace check {
namespace {

wdhost_str str(const std::string& s) noexcept {
  return wdhost_str{s.data(), s.size()};
}

bool isW3cCode(const std::string& code) {
  return code == "unknown error" || wdh::errorFromName(code) != wdh::ErrorCode::UnknownError;
}

// Runs `body` (one plugin call) and times it.
template <class Body>
Call timed(Body&& body) {
  Call call;
  auto start = std::chrono::steady_clock::now();
  call.rc = body(&call.reply);
  call.ms = msSince(start);
  return call;
}

} // namespace

double msSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

std::string contractBreach(wdhost_status rc, const wdh::PluginReply& reply, bool allowNoMatch,
                           bool needJson) {
  using Kind = wdh::PluginReply::Kind;
  if (reply.ignoredCalls > 0)
    return "replied " + std::to_string(reply.ignoredCalls + 1) + " times (at most once allowed)";
  if (rc == WDHOST_OK) {
    if (reply.kind == Kind::Error)
      return "returned OK together with the error '" + reply.error + "'";
    if (needJson && reply.kind != Kind::Json)
      return "returned OK without a JSON result";
    return "";
  }
  if (rc == WDHOST_ERROR) {
    if (reply.kind != Kind::Error)
      return "returned ERROR without calling reply_error";
    if (!isW3cCode(reply.error))
      return "returned ERROR with '" + reply.error + "', which is not a W3C error code";
    if (reply.message.empty())
      return "returned ERROR '" + reply.error + "' without a message";
    return "";
  }
  if (rc == WDHOST_NO_MATCH && allowNoMatch)
    return reply.kind == Kind::None ? "" : "returned NO_MATCH together with a reply";
  return "returned the unexpected status " + std::to_string(rc);
}

std::unique_ptr<Library> Library::open(const std::string& path, std::string* error) {
  std::unique_ptr<Library> library(new Library());
  boost::dll::fs::error_code code;
  library->library_.load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local,
                         code);
  if (code) {
    *error = "cannot load: " + code.message();
    return nullptr;
  }
  if (!library->library_.has(WDHOST_ENTRY_SYMBOL)) {
    *error = std::string("no exported symbol ") + WDHOST_ENTRY_SYMBOL;
    return nullptr;
  }
  library->entry_ = &library->library_.get<wdhost_status(wdhost_negotiation*)>(WDHOST_ENTRY_SYMBOL);
  return library;
}

wdhost_status Library::handshake(uint32_t major, uint32_t minor, uint32_t structSize,
                                 wdhost_negotiation* out, bool* untouched) const {
  constexpr unsigned char kSentinel = 0xA5;
  union Block {
    wdhost_negotiation io;
    unsigned char bytes[sizeof(wdhost_negotiation) + 64];
  } block;
  std::memset(block.bytes, kSentinel, sizeof block.bytes);
  std::memset(block.bytes, 0, structSize < sizeof block.bytes ? structSize : sizeof block.bytes);
  block.io.struct_size = structSize;
  if (structSize >= offsetof(wdhost_negotiation, host_abi_major) + sizeof(uint32_t))
    block.io.host_abi_major = major;
  if (structSize >= offsetof(wdhost_negotiation, host_abi_minor) + sizeof(uint32_t))
    block.io.host_abi_minor = minor;
  wdhost_status rc = entry_(&block.io);
  if (untouched != nullptr) {
    *untouched = true;
    for (std::size_t i = structSize; i < sizeof block.bytes; ++i)
      *untouched = *untouched && block.bytes[i] == kSentinel;
  }
  std::memset(out, 0, sizeof *out);
  std::memcpy(out, block.bytes,
              structSize < sizeof(wdhost_negotiation) ? structSize : sizeof(wdhost_negotiation));
  return rc;
}

bool Library::table(wdhost_plugin_vtable* out, uint32_t* agreedMinor, std::string* error) const {
  wdhost_negotiation io{};
  wdhost_status rc = handshake(WDHOST_ABI_MAJOR, WDHOST_ABI_MINOR, sizeof io, &io);
  if (rc != WDHOST_OK || io.vtable == nullptr) {
    *error = "the plugin refused ABI " + std::to_string(WDHOST_ABI_MAJOR) + "." +
             std::to_string(WDHOST_ABI_MINOR) + " (status " + std::to_string(rc) + ")";
    return false;
  }
  if (io.agreed_abi_minor > WDHOST_ABI_MINOR) {
    *error = "the plugin agreed to minor " + std::to_string(io.agreed_abi_minor) +
             ", newer than the host offered";
    return false;
  }
  if (io.vtable->struct_size < kV1TableSize) {
    *error = "the plugin table is " + std::to_string(io.vtable->struct_size) +
             " bytes, smaller than the " + std::to_string(kV1TableSize) + " ABI v1 requires";
    return false;
  }
  std::memset(out, 0, sizeof *out);
  std::memcpy(out, io.vtable,
              io.vtable->struct_size < sizeof *out ? io.vtable->struct_size : sizeof *out);
  bool launches = out->launch != nullptr ||
                  (io.agreed_abi_minor >= 3 && io.vtable->struct_size >= sizeof *out &&
                   out->launch_ctx != nullptr);
  if (out->init == nullptr || out->deinit == nullptr || out->describe == nullptr ||
      out->negotiate == nullptr || !launches || out->teardown == nullptr) {
    *error = "the plugin table lacks a required function";
    return false;
  }
  *agreedMinor = io.agreed_abi_minor;
  return true;
}

Instance::Instance(const wdhost_plugin_vtable& vtable, uint32_t agreedMinor,
                   std::unique_ptr<WatchedTable> table)
    : vtable_(vtable), table_(std::move(table)) {
  // The 1.3 slots count only in a table that holds them, from a plugin that agreed to 1.3.
  if (agreedMinor >= 3 && vtable.struct_size >= offsetof(wdhost_plugin_vtable, get_extension) +
                                                    sizeof(vtable.get_extension)) {
    launchCtx_ = vtable.launch_ctx;
    commandCtx_ = vtable.command_ctx;
    getExtension_ = vtable.get_extension;
  }
}

std::unique_ptr<Instance> Instance::create(const Library& library, WatchedHost& host,
                                           const std::string& config, std::string* error,
                                           std::size_t extraHostBytes) {
  wdhost_plugin_vtable vtable{};
  uint32_t minor = 0;
  if (!library.table(&vtable, &minor, error))
    return nullptr;
  std::string name = vtable.name == nullptr ? "" : vtable.name;
  auto table = std::make_unique<WatchedTable>(name, host.services(), minor, extraHostBytes);
  std::unique_ptr<Instance> instance(new Instance(vtable, minor, std::move(table)));
  wdhost_plugin* created = nullptr;
  Call call = timed([&](wdhost_reply* reply) {
    return vtable.init(instance->table_->table(), str(config), &created, reply);
  });
  instance->initMs_ = call.ms;
  std::string breach = contractBreach(call.rc, call.reply, false, false);
  if (!breach.empty()) {
    *error = "init " + breach;
    return nullptr;
  }
  if (call.rc != WDHOST_OK) {
    *error = "init failed: " + call.reply.error + ": " + call.reply.message;
    return nullptr;
  }
  if (created == nullptr) {
    *error = "init returned OK without an instance";
    return nullptr;
  }
  instance->plugin_ = created;
  return instance;
}

Instance::~Instance() {
  if (plugin_ != nullptr)
    vtable_.deinit(plugin_);
}

void Instance::audit(const char* what, const Call& call, bool allowNoMatch, bool needJson) {
  std::string breach = contractBreach(call.rc, call.reply, allowNoMatch, needJson);
  if (breach.empty())
    return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (violations_.size() < 16)
    violations_.push_back(std::string(what) + " " + breach);
}

std::vector<std::string> Instance::violations() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return violations_;
}

Call Instance::describe() {
  Call call = timed([&](wdhost_reply* reply) { return vtable_.describe(plugin_, reply); });
  audit("describe", call, false, true);
  return call;
}

Call Instance::negotiate(const std::string& capabilities) {
  Call call = timed(
      [&](wdhost_reply* reply) { return vtable_.negotiate(plugin_, str(capabilities), reply); });
  audit("negotiate", call, true, true);
  return call;
}

Call Instance::launch(const std::string& sessionId, const std::string& capabilities,
                      wdhost_session** session, const wdh::CallContext* context) {
  wdh::CallContext unbounded(std::chrono::milliseconds(0));
  const wdh::CallContext& given = context != nullptr ? *context : unbounded;
  Call call = timed([&](wdhost_reply* reply) {
    if (launchCtx_ != nullptr)
      return launchCtx_(plugin_, given.table(), str(sessionId), str(capabilities), session, reply);
    return vtable_.launch(plugin_, str(sessionId), str(capabilities), session, reply);
  });
  audit("launch", call, false, true);
  return call;
}

Call Instance::command(wdhost_session* session, const std::string& method, const std::string& path,
                       const std::string& body) {
  wdh::CallContext unbounded(std::chrono::milliseconds(0));
  Call call = timed([&](wdhost_reply* reply) {
    if (commandCtx_ != nullptr)
      return commandCtx_(session, unbounded.table(), str(method), str(path), str(body), reply);
    return vtable_.command(session, str(method), str(path), str(body), reply);
  });
  audit("command", call, false, true);
  return call;
}

const void* Instance::extension(const char* id) const {
  return getExtension_ == nullptr ? nullptr : getExtension_(plugin_, id);
}

Call Instance::teardown(wdhost_session* session) {
  Call call = timed([&](wdhost_reply* reply) { return vtable_.teardown(session, reply); });
  audit("teardown", call, false, false);
  return call;
}

} // namespace check
