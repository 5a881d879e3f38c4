/* Fixture for "a plugin built for ABI 1.2 loads and works in a 1.3 host, unchanged".
 *
 * It carries its OWN frozen copy of the 1.2 plugin table (`v1_2_table`: the 1.0 slots, then
 * the 1.1 slot warm; struct_size 96, abi_minor 2) instead of the header's, exactly as a plugin
 * compiled against the 1.2 header ships it, and uses the 1.2 host table the way such a plugin
 * does (reply_error_data after checking struct_size). The _Static_asserts tie the copy to the
 * header's prefix, so a change to a 1.0-1.2 slot fails the build.
 *
 * What a 1.3 host must do with it: call launch (it has no launch_ctx), command (no
 * command_ctx), and the 1.1 slot warm (it has no get_extension). It serves browserName
 * "frozen12" in-process: GET/POST /url, GET /title, GET /frozen/warmed (the last count warm()
 * got, -1 before any), GET /frozen/minor (the minor the host table says was agreed), and
 * POST /frozen/alert (an "unexpected alert open" error with data {"text":"frozen"}). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wdhost/plugin.h>

/* The plugin table exactly as ABI 1.2 defined it. */
struct v1_2_table {
  uint32_t struct_size;
  uint32_t abi_minor;
  const char* id;
  const char* name;
  const char* version;
  wdhost_status(WDHOST_CALL* init)(const wdhost_host*, wdhost_str, wdhost_plugin**, wdhost_reply*);
  void(WDHOST_CALL* deinit)(wdhost_plugin*);
  wdhost_status(WDHOST_CALL* describe)(wdhost_plugin*, wdhost_reply*);
  wdhost_status(WDHOST_CALL* negotiate)(wdhost_plugin*, wdhost_str, wdhost_reply*);
  wdhost_status(WDHOST_CALL* launch)(wdhost_plugin*, wdhost_str, wdhost_str, wdhost_session**,
                                     wdhost_reply*);
  wdhost_status(WDHOST_CALL* command)(wdhost_session*, wdhost_str, wdhost_str, wdhost_str,
                                      wdhost_reply*);
  wdhost_status(WDHOST_CALL* teardown)(wdhost_session*, wdhost_reply*);
  wdhost_status(WDHOST_CALL* warm)(wdhost_plugin*, uint32_t, wdhost_reply*);
};

/* The 1.2 host table's prefix, as a 1.2 plugin knows it. */
struct v1_2_host {
  uint32_t struct_size;
  uint32_t abi_minor;
  void* host_data;
  const char* name;
  const char* version;
  void(WDHOST_CALL* log)(const wdhost_host*, wdhost_log_level, wdhost_str);
  void(WDHOST_CALL* reply_json)(wdhost_reply*, wdhost_str);
  void(WDHOST_CALL* reply_error)(wdhost_reply*, wdhost_str, wdhost_str);
  const void*(WDHOST_CALL* get_service)(const wdhost_host*, const char*);
  void(WDHOST_CALL* reply_error_data)(wdhost_reply*, wdhost_str, wdhost_str, wdhost_str);
};

_Static_assert(sizeof(struct v1_2_table) == 96, "the frozen 1.2 table is 96 bytes on LP64");
_Static_assert(offsetof(struct v1_2_table, launch) == offsetof(wdhost_plugin_vtable, launch),
               "the header's 1.0 prefix moved");
_Static_assert(offsetof(struct v1_2_table, warm) == offsetof(wdhost_plugin_vtable, warm),
               "the header's 1.1 slot moved");
_Static_assert(offsetof(struct v1_2_host, reply_error_data) ==
                   offsetof(wdhost_host, reply_error_data),
               "the header's 1.2 host slot moved");

struct wdhost_plugin {
  const wdhost_host* host;
  long warmed; /* the last count warm() got, -1 before any */
};
struct wdhost_session {
  wdhost_plugin* plugin;
  char url[512];
};

static wdhost_str str(const char* text) {
  wdhost_str s = {text, strlen(text)};
  return s;
}

static int equals(wdhost_str s, const char* text) {
  return s.size == strlen(text) && memcmp(s.data, text, s.size) == 0;
}

static wdhost_status WDHOST_CALL init(const wdhost_host* host, wdhost_str config,
                                      wdhost_plugin** out, wdhost_reply* reply) {
  wdhost_plugin* plugin = (wdhost_plugin*)calloc(1, sizeof *plugin);
  (void)config;
  if (plugin == NULL) {
    host->reply_error(reply, str("unknown error"), str("out of memory"));
    return WDHOST_ERROR;
  }
  plugin->host = host;
  plugin->warmed = -1;
  *out = plugin;
  return WDHOST_OK;
}

static void WDHOST_CALL deinit(wdhost_plugin* plugin) {
  free(plugin);
}

static wdhost_status WDHOST_CALL describe(wdhost_plugin* plugin, wdhost_reply* reply) {
  plugin->host->reply_json(reply, str("{\"browserName\":\"frozen12\",\"platformName\":\"linux\","
                                      "\"browsers\":[{\"name\":\"frozen12\",\"version\":\"1.2.0\","
                                      "\"path\":\"(in-process)\"}]}"));
  return WDHOST_OK;
}

static wdhost_status WDHOST_CALL negotiate(wdhost_plugin* plugin, wdhost_str caps,
                                           wdhost_reply* reply) {
  if (caps.size == 0 || caps.data[0] != '{' || caps.data[caps.size - 1] != '}') {
    plugin->host->reply_error(reply, str("invalid argument"),
                              str("capabilities are not an object"));
    return WDHOST_ERROR;
  }
  plugin->host->reply_json(reply, caps);
  return WDHOST_OK;
}

static wdhost_status WDHOST_CALL launch(wdhost_plugin* plugin, wdhost_str id, wdhost_str caps,
                                        wdhost_session** out, wdhost_reply* reply) {
  wdhost_session* session = (wdhost_session*)calloc(1, sizeof *session);
  (void)id;
  (void)caps;
  if (session == NULL) {
    plugin->host->reply_error(reply, str("session not created"), str("out of memory"));
    return WDHOST_ERROR;
  }
  session->plugin = plugin;
  strcpy(session->url, "about:blank");
  plugin->host->reply_json(reply, str("{\"capabilities\":{\"browserName\":\"frozen12\","
                                      "\"browserVersion\":\"1.2.0\"}}"));
  *out = session;
  return WDHOST_OK;
}

/* The W3C error with its data, through the 1.2 host slot when the host has it. */
static wdhost_status alert(const wdhost_host* host, wdhost_reply* reply) {
  const struct v1_2_host* known = (const struct v1_2_host*)(const void*)host;
  if (known->struct_size >=
          offsetof(struct v1_2_host, reply_error_data) + sizeof(known->reply_error_data) &&
      known->reply_error_data != NULL)
    known->reply_error_data(reply, str("unexpected alert open"), str("a frozen prompt"),
                            str("{\"text\":\"frozen\"}"));
  else
    host->reply_error(reply, str("unexpected alert open"), str("a frozen prompt"));
  return WDHOST_ERROR;
}

static wdhost_status WDHOST_CALL command(wdhost_session* session, wdhost_str method,
                                         wdhost_str path, wdhost_str body, wdhost_reply* reply) {
  const wdhost_host* host = session->plugin->host;
  char value[600];
  if (equals(method, "GET") && equals(path, "/url")) {
    snprintf(value, sizeof value, "\"%s\"", session->url);
    host->reply_json(reply, str(value));
    return WDHOST_OK;
  }
  if (equals(method, "POST") && equals(path, "/url")) {
    /* {"url":"..."}: the string after the first ':' ; escapes are refused. */
    const char* open = body.size > 0 ? memchr(body.data, ':', body.size) : NULL;
    const char* start =
        open == NULL ? NULL : memchr(open, '"', body.size - (size_t)(open - body.data));
    const char* end =
        start == NULL ? NULL : memchr(start + 1, '"', body.size - (size_t)(start + 1 - body.data));
    if (end == NULL || (size_t)(end - start - 1) >= sizeof session->url ||
        memchr(start + 1, '\\', (size_t)(end - start - 1)) != NULL) {
      host->reply_error(reply, str("invalid argument"), str("no plain \"url\" string"));
      return WDHOST_ERROR;
    }
    memcpy(session->url, start + 1, (size_t)(end - start - 1));
    session->url[end - start - 1] = '\0';
    host->reply_json(reply, str("null"));
    return WDHOST_OK;
  }
  if (equals(method, "GET") && equals(path, "/title")) {
    host->reply_json(reply, str("\"frozen 1.2\""));
    return WDHOST_OK;
  }
  if (equals(method, "GET") && equals(path, "/frozen/warmed")) {
    snprintf(value, sizeof value, "%ld", session->plugin->warmed);
    host->reply_json(reply, str(value));
    return WDHOST_OK;
  }
  if (equals(method, "GET") && equals(path, "/frozen/minor")) {
    snprintf(value, sizeof value, "%u", (unsigned)host->abi_minor);
    host->reply_json(reply, str(value));
    return WDHOST_OK;
  }
  if (equals(method, "POST") && equals(path, "/frozen/alert"))
    return alert(host, reply);
  host->reply_error(reply, str("unknown command"), str("not served by this plugin"));
  return WDHOST_ERROR;
}

static wdhost_status WDHOST_CALL teardown(wdhost_session* session, wdhost_reply* reply) {
  (void)reply;
  free(session);
  return WDHOST_OK;
}

static wdhost_status WDHOST_CALL warm(wdhost_plugin* plugin, uint32_t count, wdhost_reply* reply) {
  (void)reply;
  plugin->warmed = (long)count;
  return WDHOST_OK;
}

static const struct v1_2_table table = {sizeof(struct v1_2_table),
                                        2u,
                                        "org.wdhost.test.frozen12",
                                        "frozen12",
                                        "1.2.0",
                                        &init,
                                        &deinit,
                                        &describe,
                                        &negotiate,
                                        &launch,
                                        &command,
                                        &teardown,
                                        &warm};

/* The 1.2 SDK's handshake: the major must match, the minor agreed is the lower. */
WDHOST_EXPORT wdhost_status WDHOST_CALL wdhost_plugin_entry(wdhost_negotiation* io) {
  if (io == NULL)
    return WDHOST_INCOMPATIBLE;
  if (io->struct_size < sizeof(wdhost_negotiation) || io->host_abi_major != WDHOST_ABI_MAJOR) {
    if (io->struct_size >= offsetof(wdhost_negotiation, vtable) + sizeof(io->vtable))
      io->vtable = NULL;
    return WDHOST_INCOMPATIBLE;
  }
  io->agreed_abi_minor =
      io->host_abi_minor < table.abi_minor ? io->host_abi_minor : table.abi_minor;
  io->vtable = (const wdhost_plugin_vtable*)(const void*)&table;
  return WDHOST_OK;
}
