// Header-only C++ layer over the wdhost plugin ABI: subclass wdhost::Plugin and
// wdhost::Session, then add one WDHOST_DECLARE_PLUGIN line. Exceptions thrown by plugin
// code become W3C errors at the boundary; nothing C++ crosses it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <wdhost/deadline.hpp>
#include <wdhost/plugin.h>
#include <wdhost/sdk_version.h>

namespace wdhost {

// A W3C error raised by plugin code; becomes reply_error(code, message) at the boundary.
class Error : public std::runtime_error {
public:
  // `code` is a W3C error code such as "session not created"; `message` says what to fix;
  // `data` is the JSON object sent as the error's "data" ("" = none; needs a 1.2 host).
  Error(std::string code, const std::string& message, std::string data = {})
      : std::runtime_error(message), code_(std::move(code)), data_(std::move(data)) {}
  // The W3C error code.
  const std::string& code() const noexcept { return code_; }
  // The error's "data" object as JSON, or "".
  const std::string& data() const noexcept { return data_; }

private:
  std::string code_;
  std::string data_;
};

// Borrowed string_view over a wdhost_str.
inline std::string_view view(wdhost_str s) noexcept {
  return s.data == nullptr ? std::string_view() : std::string_view(s.data, s.size);
}

// Borrowed wdhost_str over a string_view; valid as long as the viewed bytes.
inline wdhost_str str(std::string_view s) noexcept {
  return wdhost_str{s.data(), s.size()};
}

// True when a table whose first field is its struct_size holds the field at `offset` of `size`
// bytes (tables only grow at their end).
template <class Table>
bool hasField(const Table* table, std::size_t offset, std::size_t size) noexcept {
  return table != nullptr && offset + size <= table->struct_size;
}

// A sink that appends everything the host writes to a std::string.
class StringSink {
public:
  // The sink to hand to a host service; valid while this object lives.
  wdhost_sink sink() noexcept { return wdhost_sink{&text_, &StringSink::append}; }
  // Everything written so far.
  const std::string& text() const noexcept { return text_; }

private:
  static void WDHOST_CALL append(void* ctx, const char* data, std::size_t size) {
    try {
      static_cast<std::string*>(ctx)->append(data, size);
    } catch (...) {
      // Out of memory while copying host output: the text is truncated, nothing else.
    }
  }
  std::string text_;
};

// Cheap view over the host table, valid from init() until deinit() returns.
class Host {
public:
  explicit Host(const wdhost_host* host) noexcept : host_(host) {}

  // Writes one log line attributed to the plugin. Thread-safe.
  void log(wdhost_log_level level, std::string_view message) const noexcept {
    host_->log(host_, level, str(message));
  }

  // Returns the service table with `id` if the host offers it with at least `minimumSize`
  // bytes (its first version's size: fields added later are checked with hasField()), else
  // nullptr. Thread-safe.
  template <class Table>
  const Table* service(const char* id, std::size_t minimumSize = sizeof(Table)) const noexcept {
    if (!has(offsetof(wdhost_host, get_service), sizeof(host_->get_service)) ||
        host_->get_service == nullptr)
      return nullptr;
    auto table = static_cast<const Table*>(host_->get_service(host_, id));
    if (table == nullptr || table->struct_size < minimumSize)
      return nullptr;
    return table;
  }

  // The raw table.
  const wdhost_host* raw() const noexcept { return host_; }

  // The ABI minor agreed with this host (0 to WDHOST_ABI_MINOR).
  uint32_t abiMinor() const noexcept { return host_->abi_minor; }

private:
  bool has(std::size_t offset, std::size_t size) const noexcept {
    return offset + size <= host_->struct_size;
  }
  const wdhost_host* host_;
};

// One browser session owned by a plugin; torn down exactly once by the host.
class Session {
public:
  virtual ~Session() = default;

  // JSON reply to launch(): {"capabilities":{..},"upstream":"http://127.0.0.1:N/session/ID"}.
  virtual std::string launchReply() const = 0;

  // In-process command for sessions without "upstream"; returns the W3C "value" as JSON.
  // Override this or commandWithin().
  virtual std::string command(std::string_view method, std::string_view path,
                              std::string_view body) {
    (void)body;
    throw Error(WDHOST_W3C_UNKNOWN_COMMAND,
                std::string(method) + " " + std::string(path) + " is not served by this plugin");
  }

  // command() bounded by `deadline` (ABI 1.3: the host's wait for it, and cancelled when the
  // session is being torn down); valid only during the call. The default calls command().
  virtual std::string commandWithin(std::string_view method, std::string_view path,
                                    std::string_view body, const Deadline& deadline) {
    (void)deadline;
    return command(method, path, body);
  }

  // Ends the browser; must succeed also when the browser already died.
  virtual void teardown() = 0;

  // Where the browser is shown ("wdhost.display/1"): {"x11": ":N", "width": W, "height": H}
  // for a display the host may record, or "null" (the default) for none. Any thread.
  virtual std::string display() const { return "null"; }
};

// The plugin instance; constructed by init() with the host and the config JSON.
class Plugin {
public:
  explicit Plugin(Host host) noexcept : host_(host) {}
  virtual ~Plugin() = default;

  // JSON object describing the browsers found (see wdhost_plugin_vtable::describe).
  virtual std::string describe() = 0;

  // Accepted capabilities as JSON, or nullopt when they are not for this plugin.
  virtual std::optional<std::string> negotiate(std::string_view capabilities) = 0;

  // Starts a browser for the host's session id with negotiated capabilities. Override this or
  // launchWithin() (which a plugin that honours the host's deadline overrides instead).
  virtual std::unique_ptr<Session> launch(std::string_view sessionId,
                                          std::string_view capabilities) {
    (void)sessionId;
    (void)capabilities;
    throw Error(WDHOST_W3C_SESSION_NOT_CREATED, "the plugin implements no launch");
  }

  // launch() bounded by `deadline`: the host's call context (ABI 1.3), or, on a 1.0-1.2 host
  // that sends none, kLegacyLaunchMs from the call; valid only during the call. Bound every
  // wait by it and throw Error("session not created", what timed out) when it expires. The
  // default calls launch().
  virtual std::unique_ptr<Session> launchWithin(std::string_view sessionId,
                                                std::string_view capabilities,
                                                const Deadline& deadline) {
    (void)deadline;
    return launch(sessionId, capabilities);
  }

  // Keeps `count` drivers started ahead of launches (the extension "wdhost.warm/1", and the
  // ABI 1.1 slot for older hosts); offered to the host only when a plugin overrides it.
  virtual void warm(uint32_t count) { (void)count; }

  // The table of a plugin-defined extension `id` (static, struct_size first), or nullptr (the
  // default). The SDK answers "wdhost.warm/1" and "wdhost.display/1" itself (Session::display).
  // Called once per id, after init.
  virtual const void* extension(std::string_view id) {
    (void)id;
    return nullptr;
  }

  // The host this plugin was created with.
  const Host& host() const noexcept { return host_; }

private:
  Host host_;
};

// How long a launch may take on a 1.0-1.2 host, which sends no deadline: their default
// --launch-timeout (90 s) less a reserve for the plugin's own error to reach the host first.
inline constexpr uint32_t kLegacyLaunchMs = 88000;

namespace detail {

// True when plugin type P overrides Plugin::warm (then it offers "wdhost.warm/1").
template <class P>
constexpr bool overridesWarm() noexcept {
  return !std::is_same_v<decltype(&P::warm), void (Plugin::*)(uint32_t)>;
}

// Runs `body` and turns any exception into reply_error; never throws.
template <class Body>
wdhost_status guard(const wdhost_host* host, wdhost_reply* reply, Body&& body) noexcept {
  auto fail = [&](std::string_view code, std::string_view message,
                  std::string_view data = {}) noexcept {
    if (host == nullptr || reply == nullptr)
      return WDHOST_ERROR;
    if (!data.empty() &&
        hasField(host, offsetof(wdhost_host, reply_error_data), sizeof(host->reply_error_data)) &&
        host->reply_error_data != nullptr)
      host->reply_error_data(reply, str(code), str(message), str(data));
    else
      host->reply_error(reply, str(code), str(message));
    return WDHOST_ERROR;
  };
  try {
    return body();
  } catch (const Error& e) {
    return fail(e.code(), e.what(), e.data());
  } catch (const std::exception& e) {
    return fail("unknown error", e.what());
  } catch (...) {
    return fail("unknown error", "the plugin threw a non-standard exception");
  }
}

// What the host's opaque wdhost_plugin handle points to.
struct PluginBox {
  const wdhost_host* host;
  std::unique_ptr<Plugin> plugin;
};

// What the host's opaque wdhost_session handle points to.
struct SessionBox {
  const wdhost_host* host;
  std::unique_ptr<Session> session;
};

inline PluginBox* unbox(wdhost_plugin* p) noexcept {
  return reinterpret_cast<PluginBox*>(p);
}
inline SessionBox* unbox(wdhost_session* s) noexcept {
  return reinterpret_cast<SessionBox*>(s);
}

// Static trampolines binding the C table to the C++ classes of plugin type P.
template <class P>
struct Trampolines {
  static wdhost_status WDHOST_CALL init(const wdhost_host* host, wdhost_str config,
                                        wdhost_plugin** out, wdhost_reply* reply) {
    return guard(host, reply, [&] {
      auto box = std::make_unique<PluginBox>();
      box->host = host;
      box->plugin = std::make_unique<P>(Host(host), view(config));
      *out = reinterpret_cast<wdhost_plugin*>(box.release());
      return WDHOST_OK;
    });
  }

  // Destructors are noexcept: one that throws ends the process, it cannot cross the ABI.
  static void WDHOST_CALL deinit(wdhost_plugin* plugin) { delete unbox(plugin); }

  static wdhost_status WDHOST_CALL describe(wdhost_plugin* plugin, wdhost_reply* reply) {
    PluginBox* box = unbox(plugin);
    return guard(box->host, reply, [&] {
      std::string json = box->plugin->describe();
      box->host->reply_json(reply, str(json));
      return WDHOST_OK;
    });
  }

  static wdhost_status WDHOST_CALL negotiate(wdhost_plugin* plugin, wdhost_str caps,
                                             wdhost_reply* reply) {
    PluginBox* box = unbox(plugin);
    return guard(box->host, reply, [&] {
      std::optional<std::string> accepted = box->plugin->negotiate(view(caps));
      if (!accepted)
        return WDHOST_NO_MATCH;
      box->host->reply_json(reply, str(*accepted));
      return WDHOST_OK;
    });
  }

  // The launch behind both slots: `deadline` is the host's, or the legacy bound.
  static wdhost_status launchBy(wdhost_plugin* plugin, wdhost_str sessionId, wdhost_str caps,
                                const Deadline& deadline, wdhost_session** out,
                                wdhost_reply* reply) {
    PluginBox* box = unbox(plugin);
    return guard(box->host, reply, [&] {
      auto session = std::make_unique<SessionBox>();
      session->host = box->host;
      session->session = box->plugin->launchWithin(view(sessionId), view(caps), deadline);
      if (!session->session)
        throw Error(WDHOST_W3C_SESSION_NOT_CREATED, "the plugin returned no session");
      std::string json = session->session->launchReply();
      box->host->reply_json(reply, str(json));
      *out = reinterpret_cast<wdhost_session*>(session.release());
      return WDHOST_OK;
    });
  }

  // The 1.0 slot (a 1.0-1.2 host, no context): bounded by kLegacyLaunchMs.
  static wdhost_status WDHOST_CALL launch(wdhost_plugin* plugin, wdhost_str sessionId,
                                          wdhost_str caps, wdhost_session** out,
                                          wdhost_reply* reply) {
    return launchBy(plugin, sessionId, caps, Deadline::in(kLegacyLaunchMs), out, reply);
  }

  // The 1.3 slot: the host's context as the Deadline.
  static wdhost_status WDHOST_CALL launchCtx(wdhost_plugin* plugin,
                                             const wdhost_call_context* context,
                                             wdhost_str sessionId, wdhost_str caps,
                                             wdhost_session** out, wdhost_reply* reply) {
    return launchBy(plugin, sessionId, caps, Deadline::of(context), out, reply);
  }

  // The command behind both slots.
  static wdhost_status commandBy(wdhost_session* session, const Deadline& deadline,
                                 wdhost_str method, wdhost_str path, wdhost_str body,
                                 wdhost_reply* reply) {
    SessionBox* box = unbox(session);
    return guard(box->host, reply, [&] {
      std::string json =
          box->session->commandWithin(view(method), view(path), view(body), deadline);
      box->host->reply_json(reply, str(json));
      return WDHOST_OK;
    });
  }

  // The 1.0 slot: no deadline.
  static wdhost_status WDHOST_CALL command(wdhost_session* session, wdhost_str method,
                                           wdhost_str path, wdhost_str body, wdhost_reply* reply) {
    return commandBy(session, Deadline::none(), method, path, body, reply);
  }

  // The 1.3 slot: the host's context as the Deadline.
  static wdhost_status WDHOST_CALL commandCtx(wdhost_session* session,
                                              const wdhost_call_context* context, wdhost_str method,
                                              wdhost_str path, wdhost_str body,
                                              wdhost_reply* reply) {
    return commandBy(session, Deadline::of(context), method, path, body, reply);
  }

  // "wdhost.warm/1" for a P that overrides warm(), else what P::extension() answers; noexcept.
  static const void* WDHOST_CALL getExtension(wdhost_plugin* plugin, const char* id) {
    if (plugin == nullptr || id == nullptr)
      return nullptr;
    std::string_view wanted(id);
    if constexpr (overridesWarm<P>()) {
      static const wdhost_warm_extension warmTable = {sizeof(wdhost_warm_extension),
                                                      &Trampolines<P>::warm};
      if (wanted == WDHOST_EXTENSION_WARM)
        return &warmTable;
    }
    static const wdhost_display_extension displayTable = {sizeof(wdhost_display_extension),
                                                          &Trampolines<P>::display};
    if (wanted == WDHOST_EXTENSION_DISPLAY)
      return &displayTable;
    try {
      return unbox(plugin)->plugin->extension(wanted);
    } catch (...) {
      return nullptr; // an exception must not cross the ABI: no such extension
    }
  }

  static wdhost_status WDHOST_CALL display(wdhost_session* session, wdhost_reply* reply) {
    SessionBox* box = unbox(session);
    return guard(box->host, reply, [&] {
      std::string json = box->session->display();
      box->host->reply_json(reply, str(json));
      return WDHOST_OK;
    });
  }

  static wdhost_status WDHOST_CALL warm(wdhost_plugin* plugin, uint32_t count,
                                        wdhost_reply* reply) {
    PluginBox* box = unbox(plugin);
    return guard(box->host, reply, [&] {
      box->plugin->warm(count);
      return WDHOST_OK;
    });
  }

  static wdhost_status WDHOST_CALL teardown(wdhost_session* session, wdhost_reply* reply) {
    std::unique_ptr<SessionBox> box(unbox(session));
    return guard(box->host, reply, [&] {
      box->session->teardown();
      return WDHOST_OK;
    });
  }
};

// The handshake: major must match, the minor agreed is the lower of the two.
inline wdhost_status negotiateAbi(wdhost_negotiation* io,
                                  const wdhost_plugin_vtable* table) noexcept {
  if (io == nullptr)
    return WDHOST_INCOMPATIBLE;
  if (io->struct_size < sizeof(wdhost_negotiation) || io->host_abi_major != WDHOST_ABI_MAJOR) {
    if (io->struct_size >= offsetof(wdhost_negotiation, vtable) + sizeof(io->vtable))
      io->vtable = nullptr;
    return WDHOST_INCOMPATIBLE;
  }
  const uint32_t pluginMinor = table->abi_minor;
  io->agreed_abi_minor = io->host_abi_minor < pluginMinor ? io->host_abi_minor : pluginMinor;
  io->vtable = table;
  return WDHOST_OK;
}

// The static table for plugin type P.
template <class P>
const wdhost_plugin_vtable* vtableFor(const char* id, const char* name,
                                      const char* version) noexcept {
  static const wdhost_plugin_vtable table = {
      sizeof(wdhost_plugin_vtable),
      WDHOST_ABI_MINOR,
      id,
      name,
      version,
      &Trampolines<P>::init,
      &Trampolines<P>::deinit,
      &Trampolines<P>::describe,
      &Trampolines<P>::negotiate,
      &Trampolines<P>::launch,
      &Trampolines<P>::command,
      &Trampolines<P>::teardown,
      overridesWarm<P>() ? &Trampolines<P>::warm : nullptr, // 1.1, for 1.1 and 1.2 hosts
      &Trampolines<P>::launchCtx,
      &Trampolines<P>::commandCtx,
      &Trampolines<P>::getExtension,
  };
  return &table;
}

} // namespace detail
} // namespace wdhost

// Exports the plugin entry for Type (constructible from (wdhost::Host, std::string_view config)).
#define WDHOST_DECLARE_PLUGIN(Type, Id, Name, Version)                                             \
  extern "C" WDHOST_EXPORT wdhost_status WDHOST_CALL wdhost_plugin_entry(wdhost_negotiation* io) { \
    return ::wdhost::detail::negotiateAbi(io,                                                      \
                                          ::wdhost::detail::vtableFor<Type>(Id, Name, Version));   \
  }
