/* wdhost plugin ABI, version 1.
 *
 * A browser backend is a shared library that exports exactly one symbol,
 * `wdhost_plugin_entry`. Everything else is reached through the tables below.
 * The header is pure C (C11 and C++17 clean with -Wall -Wextra -pedantic) and
 * depends only on the C standard library.
 *
 * Rules that hold for every function here:
 *  - Strings passed in are borrowed UTF-8 `wdhost_str` (not NUL-terminated
 *    unless a `const char*` is used); they are valid only until the call returns.
 *  - No memory is freed across the boundary. The plugin sends results through
 *    host-owned `wdhost_reply` callbacks; the host sends results to the plugin
 *    through plugin-owned `wdhost_sink` callbacks. Each side copies what it keeps.
 *  - Only fixed-width integers, pointers and these structs cross. No enums, no
 *    C++ types, no exceptions.
 *  - Every table begins with `struct_size` and only grows at its end. A reader
 *    uses a field only if `offsetof(field) + sizeof(field) <= struct_size`.
 *
 * The host services' tables are in service_process.h, service_tempdir.h and service_http.h,
 * which this header includes; the extensions a plugin may answer to are in extension_*.h.
 *
 * Version log:
 *   1.0  entry handshake, plugin table (init, deinit, describe, negotiate,
 *        launch, command, teardown), host table (log, reply_json, reply_error,
 *        get_service), services wdhost.process/1, wdhost.tempdir/1, wdhost.http/1.
 *   1.1  plugin table: warm (drivers started ahead of launches); wdhost.process/1: set_owner.
 *   1.2  host table: reply_error_data (a W3C error with its "data" object, e.g. the text of
 *        the prompt behind "unexpected alert open").
 *   1.3  wdhost_call_context (a deadline and is_cancelled) passed to the new plugin slots
 *        launch_ctx and command_ctx; plugin table: get_extension, its LAST slot (the plugin
 *        table is frozen: optional plugin features are extensions from now on, e.g.
 *        "wdhost.warm/1", which replaces the 1.1 warm slot); the launch reply keys and the W3C
 *        error codes named here; wdhost.tempdir/1: set_owner; wdhost.process/1: cwd and
 *        env_mode in the spawn request, wait_exit; service wdhost.http/2 (headers, one
 *        deadline for the whole exchange, a size cap).
 */
#ifndef WDHOST_PLUGIN_H
#define WDHOST_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define WDHOST_EXPORT __declspec(dllexport)
#define WDHOST_CALL __cdecl
#else
#define WDHOST_EXPORT __attribute__((visibility("default")))
#define WDHOST_CALL
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Changes only on an incompatible break; a host loads plugins of its own major only. */
#define WDHOST_ABI_MAJOR 1u
/* Grows with additive changes (fields appended at the end of tables). */
#define WDHOST_ABI_MINOR 3u

/* Result of every plugin and service function. */
typedef int32_t wdhost_status;
#define WDHOST_OK 0           /* success; the reply (if any) carries the result          */
#define WDHOST_ERROR 1        /* failure; reply_error() was called with a W3C error code  */
#define WDHOST_NO_MATCH 2     /* negotiate(): these capabilities are not for this plugin  */
#define WDHOST_INCOMPATIBLE 3 /* entry: the plugin cannot speak the host's ABI major      */
#define WDHOST_TIMEOUT 4      /* a service wait ran out of time                          */

/* Log levels for wdhost_host.log. */
typedef int32_t wdhost_log_level;
#define WDHOST_LOG_TRACE 0
#define WDHOST_LOG_DEBUG 1
#define WDHOST_LOG_INFO 2
#define WDHOST_LOG_WARN 3
#define WDHOST_LOG_ERROR 4

/* The W3C error codes (WebDriver "Errors"), the only `error` values reply_error accepts. The
 * host logs any other code with the plugin's name and answers it as the call's fallback
 * ("session not created" for launch, "unknown error" otherwise). */
#define WDHOST_W3C_ELEMENT_CLICK_INTERCEPTED "element click intercepted"
#define WDHOST_W3C_ELEMENT_NOT_INTERACTABLE "element not interactable"
#define WDHOST_W3C_INSECURE_CERTIFICATE "insecure certificate"
#define WDHOST_W3C_INVALID_ARGUMENT "invalid argument"
#define WDHOST_W3C_INVALID_COOKIE_DOMAIN "invalid cookie domain"
#define WDHOST_W3C_INVALID_ELEMENT_STATE "invalid element state"
#define WDHOST_W3C_INVALID_SELECTOR "invalid selector"
#define WDHOST_W3C_INVALID_SESSION_ID "invalid session id"
#define WDHOST_W3C_JAVASCRIPT_ERROR "javascript error"
#define WDHOST_W3C_MOVE_TARGET_OUT_OF_BOUNDS "move target out of bounds"
#define WDHOST_W3C_NO_SUCH_ALERT "no such alert"
#define WDHOST_W3C_NO_SUCH_COOKIE "no such cookie"
#define WDHOST_W3C_NO_SUCH_ELEMENT "no such element"
#define WDHOST_W3C_NO_SUCH_FRAME "no such frame"
#define WDHOST_W3C_NO_SUCH_WINDOW "no such window"
#define WDHOST_W3C_NO_SUCH_SHADOW_ROOT "no such shadow root"
#define WDHOST_W3C_SCRIPT_TIMEOUT "script timeout"
#define WDHOST_W3C_SESSION_NOT_CREATED "session not created"
#define WDHOST_W3C_STALE_ELEMENT_REFERENCE "stale element reference"
#define WDHOST_W3C_DETACHED_SHADOW_ROOT "detached shadow root"
#define WDHOST_W3C_TIMEOUT "timeout"
#define WDHOST_W3C_UNABLE_TO_SET_COOKIE "unable to set cookie"
#define WDHOST_W3C_UNABLE_TO_CAPTURE_SCREEN "unable to capture screen"
#define WDHOST_W3C_UNEXPECTED_ALERT_OPEN "unexpected alert open"
#define WDHOST_W3C_UNKNOWN_COMMAND "unknown command"
#define WDHOST_W3C_UNKNOWN_ERROR "unknown error"
#define WDHOST_W3C_UNKNOWN_METHOD "unknown method"
#define WDHOST_W3C_UNSUPPORTED_OPERATION "unsupported operation"

/* Borrowed UTF-8 bytes, not NUL-terminated; valid only until the call that received them returns.
 */
typedef struct wdhost_str {
  const char* data;
  size_t size;
} wdhost_str;

/* Plugin-owned output channel for host services: the host calls write() zero or more
 * times before the service function returns, and never after. The plugin copies. */
typedef struct wdhost_sink {
  void* ctx;
  void(WDHOST_CALL* write)(void* ctx, const char* data, size_t size);
} wdhost_sink;

/* Host-owned result channel handed to a plugin function; valid only during that call. */
typedef struct wdhost_reply wdhost_reply;
/* Plugin-owned plugin instance: created by init(), destroyed by deinit(). */
typedef struct wdhost_plugin wdhost_plugin;
/* Plugin-owned browser session: created by launch(), destroyed by teardown(). */
typedef struct wdhost_session wdhost_session;

/* ---- Call context [1.3] -----------------------------------------------------------
 * What the host expects of one launch_ctx() or command_ctx() call: when it wants the answer,
 * and whether it still wants it. Host-owned, read-only for the plugin, valid until the call
 * it was passed to returns (a plugin that hands work to its own threads keeps it no longer);
 * may be read from any thread during the call. */
typedef struct wdhost_call_context {
  uint32_t struct_size; /* sizeof(wdhost_call_context) in the host's build             */
  uint32_t reserved;    /* 0                                                         */
  /* When the host wants the answer: an absolute time on CLOCK_MONOTONIC (clock_gettime), in
   * milliseconds; 0 = no deadline. Absolute, so it does not go stale while the plugin passes
   * the context around. The plugin bounds every wait by it, stops, cleans up and answers with
   * its own precise error (a timeout of what it was waiting for) when it passes; the host
   * keeps a short reserve after it for that answer before it gives up on the call. */
  uint64_t deadline_ms;
  void* host_data; /* the host's own; plugins never touch it                          */
  /* [any thread, during the call] Non-zero once the host gave up on the call: its deadline
   * and reserve passed, the session is being torn down, or the host is shutting down. The
   * plugin then stops as soon as it can, leaves nothing running, and answers an error (what
   * it answers is logged, not sent to any client). Cheap: poll it in every wait. */
  int32_t(WDHOST_CALL* is_cancelled)(const struct wdhost_call_context* context);
} wdhost_call_context;

/* ---- Host table (host -> plugin) -------------------------------------------------
 * Owned by the host, valid from init() until deinit() returns. Every function in it
 * is thread-safe and may be called from any thread the plugin owns. */
typedef struct wdhost_host {
  uint32_t struct_size; /* sizeof(wdhost_host) in the host's build                */
  uint32_t abi_minor;   /* the minor agreed in the handshake                       */
  void* host_data;      /* the host's own; plugins never touch it                  */
  const char* name;     /* static NUL-terminated host name, "wdhost"               */
  const char* version;  /* static NUL-terminated host semver                       */

  /* Writes one log line attributed to the plugin. msg is borrowed for the call. */
  void(WDHOST_CALL* log)(const struct wdhost_host* host, wdhost_log_level level, wdhost_str msg);

  /* Sets the reply's result to a JSON document (copied before return). At most one
   * reply_json or reply_error per reply; later calls are ignored and logged. */
  void(WDHOST_CALL* reply_json)(wdhost_reply* reply, wdhost_str json);

  /* Sets the reply's result to a W3C error: `error` is a W3C error code such as
   * "session not created" or "invalid argument"; `message` says what to fix. Both copied. */
  void(WDHOST_CALL* reply_error)(wdhost_reply* reply, wdhost_str error, wdhost_str message);

  /* Returns the host service table with the versioned id (e.g. "wdhost.process/1"), or NULL
   * when the host has none. The table is host-owned and valid until deinit() returns. */
  const void*(WDHOST_CALL* get_service)(const struct wdhost_host* host, const char* id);

  /* ---- Fields added in later minors go below this line. ---- */
  /* Host features are services from 1.3 on (get_service); reply_error_data stays the last
   * slot of this table. */

  /* [1.2] Like reply_error, plus `data`: a JSON object the host sends as the W3C error's
   * "data" member (e.g. {"text":"the prompt's text"} with "unexpected alert open"). All three
   * are copied before return; `data` that is not a JSON object is dropped. Same one-reply rule
   * as reply_json. A plugin checks struct_size before calling it (a 1.0/1.1 host lacks it). */
  void(WDHOST_CALL* reply_error_data)(wdhost_reply* reply, wdhost_str error, wdhost_str message,
                                      wdhost_str data);
} wdhost_host;

/* ---- Plugin table (plugin -> host) ---------------------------------------------------
 * Static storage in the plugin, valid until the library is unloaded. */
typedef struct wdhost_plugin_vtable {
  uint32_t struct_size; /* sizeof(wdhost_plugin_vtable) in the plugin's build     */
  uint32_t abi_minor;   /* the minor the plugin was compiled against               */
  const char* id;       /* static, unique reverse-DNS id, "org.wdhost.chrome"      */
  const char* name;     /* static short name used by --plugin, "chrome"            */
  const char* version;  /* static plugin semver                                    */

  /* [loader thread, alone] Creates the plugin instance. Cheap: finds binaries, may run
   * them for their version, starts nothing that outlives the call. `config` is a JSON
   * object of settings (e.g. {"headless":true,"driver":"/usr/bin/chromedriver"}), borrowed.
   * `host` stays valid until deinit() returns. OK: *out is set. ERROR: reply_error. */
  wdhost_status(WDHOST_CALL* init)(const wdhost_host* host, wdhost_str config, wdhost_plugin** out,
                                   wdhost_reply* reply);

  /* [loader thread, alone] Destroys the instance. Every session was torn down before;
   * every thread the plugin started is joined before this returns. */
  void(WDHOST_CALL* deinit)(wdhost_plugin* plugin);

  /* [thread-safe] reply_json: {"browserName":"chrome","browserNames":["chrome","chromium"]?,
   * "platformName":"linux","headless":true,"downloads":true?,"startsAhead":true?,
   * "browsers":[{"name":..,"version":..,"path":..}],"driver":{"path":..,"version":..}?}
   * (browserNames: other names it answers to; the rest as wdhost::Description writes them).
   * ERROR: reply_error says why the plugin cannot serve (nothing installed, ...). */
  wdhost_status(WDHOST_CALL* describe)(wdhost_plugin* plugin, wdhost_reply* reply);

  /* [thread-safe] `capabilities` is ONE merged W3C capabilities object, already validated
   * by the host. OK + reply_json(the capabilities the plugin will launch with),
   * NO_MATCH (no reply), or ERROR + reply_error ("invalid argument" for bad vendor keys). */
  wdhost_status(WDHOST_CALL* negotiate)(wdhost_plugin* plugin, wdhost_str capabilities,
                                        wdhost_reply* reply);

  /* [thread-safe across sessions] Starts a browser for host session `session_id` with the
   * capabilities negotiate() returned. OK: *out is set and reply_json is the launch reply, a
   * JSON object with exactly these keys (the host logs any other key, with the plugin's name):
   *   "capabilities" (required) the capabilities the browser runs with, as the driver returned
   *                  them (W3C New Session's "capabilities"); a string "webSocketUrl" in it is
   *                  the driver's own WebDriver BiDi URL, which the host relays;
   *   "upstream"     (optional) "http://127.0.0.1:N/session/<driver's id>": the host relays
   *                  /session/{id}/<rest> to upstream + "/<rest>". Without it the host calls
   *                  command_ctx()/command() for every command of the session;
   *   "cdp"          (optional) "http://127.0.0.1:N": the browser's DevTools HTTP endpoint
   *                  (its /json/version), which the host relays as the session's CDP socket.
   * ERROR: reply_error ("session not created" + why), nothing is left running and *out is
   * untouched. A 1.3 host calls launch_ctx instead when the plugin has it; it calls this slot
   * only for plugins without launch_ctx (1.0 to 1.2 plugins), with no deadline they know of. */
  wdhost_status(WDHOST_CALL* launch)(wdhost_plugin* plugin, wdhost_str session_id,
                                     wdhost_str capabilities, wdhost_session** out,
                                     wdhost_reply* reply);

  /* [serialized per session] OPTIONAL, may be NULL. Executes one WebDriver command
   * in-process for a session without "upstream". `path` is what follows /session/{id}
   * ("/url"); `body` is the request body or empty. OK + reply_json(the W3C "value"),
   * or ERROR + reply_error with the W3C code. A 1.3 host calls command_ctx instead when the
   * plugin has it. */
  wdhost_status(WDHOST_CALL* command)(wdhost_session* session, wdhost_str method, wdhost_str path,
                                      wdhost_str body, wdhost_reply* reply);

  /* [serialized per session] Ends the browser and frees `session`, also when the browser
   * already died. After it returns the handle is invalid. ERROR only reports problems. */
  wdhost_status(WDHOST_CALL* teardown)(wdhost_session* session, wdhost_reply* reply);

  /* ---- Slots added in later minors go below this line. ---- */

  /* [1.1, thread-safe] OPTIONAL, may be NULL. Keep `count` drivers started ahead of launches
   * (0: none), so that launch() skips starting one. Returns at once; the plugin starts them on
   * its own thread(s), owned by no session, and ends them and joins at deinit(). A 1.3 host
   * reads this slot only from plugins without get_extension; a 1.3 plugin offers the same
   * function as the extension "wdhost.warm/1" (extension_warm.h), and sets this slot too only
   * to serve 1.1 and 1.2 hosts. */
  wdhost_status(WDHOST_CALL* warm)(wdhost_plugin* plugin, uint32_t count, wdhost_reply* reply);

  /* [1.3, thread-safe across sessions] OPTIONAL, may be NULL. launch() with the host's call
   * context: the same contract, plus `context` (never NULL, valid until the call returns):
   * every wait is bounded by context->deadline_ms, and the call stops when is_cancelled()
   * says so. A 1.3 host calls this instead of launch() when it is set; a plugin that also
   * serves 1.0 to 1.2 hosts sets launch too. */
  wdhost_status(WDHOST_CALL* launch_ctx)(wdhost_plugin* plugin, const wdhost_call_context* context,
                                         wdhost_str session_id, wdhost_str capabilities,
                                         wdhost_session** out, wdhost_reply* reply);

  /* [1.3, serialized per session] OPTIONAL, may be NULL. command() with the host's call
   * context: the same contract, plus `context` (never NULL, valid until the call returns): its
   * deadline is the longest the host waits for this command (past the session's own WebDriver
   * timeouts), and is_cancelled() turns true when the session is being torn down, so that a
   * long wait (a page load) ends and teardown() can run. */
  wdhost_status(WDHOST_CALL* command_ctx)(wdhost_session* session,
                                          const wdhost_call_context* context, wdhost_str method,
                                          wdhost_str path, wdhost_str body, wdhost_reply* reply);

  /* [1.3, loader thread, after init()] OPTIONAL, may be NULL. The plugin's table for the
   * optional feature `id` (a versioned id such as "wdhost.warm/1"; NUL-terminated, borrowed for
   * the call), or NULL when it has no such feature. The table begins with its struct_size, is
   * owned by the plugin, and stays valid and unchanged until deinit() returns. The host asks
   * for each id it knows once, right after init(), and never frees what it gets. A feature
   * that changes incompatibly gets a new id ("/2"), never a new slot here.
   *
   * THE PLUGIN TABLE IS FROZEN HERE: no slot will ever be added after get_extension. */
  const void*(WDHOST_CALL* get_extension)(wdhost_plugin* plugin, const char* id);
} wdhost_plugin_vtable;

/* ---- The single exported symbol --------------------------------------------------- */

/* In/out handshake block, owned by the host. */
typedef struct wdhost_negotiation {
  uint32_t struct_size;               /* in : sizeof(wdhost_negotiation) in the host's build */
  uint32_t host_abi_major;            /* in                                                 */
  uint32_t host_abi_minor;            /* in : the newest minor the host understands          */
  uint32_t agreed_abi_minor;          /* out: min(host minor, plugin minor)                  */
  const wdhost_plugin_vtable* vtable; /* out: the plugin's table, NULL unless OK              */
} wdhost_negotiation;

/* [any thread] The entry point: idempotent, no side effects, called before anything else.
 * Returns INCOMPATIBLE (vtable NULL) when host_abi_major != WDHOST_ABI_MAJOR or the block
 * is too small; otherwise OK. */
typedef wdhost_status(WDHOST_CALL* wdhost_plugin_entry_fn)(wdhost_negotiation* io);
#define WDHOST_ENTRY_SYMBOL "wdhost_plugin_entry"

#ifdef __cplusplus
}
#endif

/* The host services, each in its own header (reached through get_service). */
#include <wdhost/service_http.h>
#include <wdhost/service_process.h>
#include <wdhost/service_tempdir.h>
/* The plugin extensions the host knows, each in its own header (reached through get_extension). */
#include <wdhost/extension_display.h>
#include <wdhost/extension_warm.h>

#endif /* WDHOST_PLUGIN_H */
