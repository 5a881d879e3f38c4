/* Fixture for "a plugin built against an older minor loads in a newer host".
 *
 * The ABI is at 1.0, so no older minor exists yet to build against. This plugin therefore
 * carries its OWN frozen copy of the v1.0 plugin table (`v1_0_table`) instead of using the
 * header's wdhost_plugin_vtable: when later minors append slots to the header, this file
 * still describes exactly what a 1.0 plugin ships (struct_size 88, abi_minor 0), and the
 * test keeps proving that a newer host accepts it. The _Static_asserts tie the frozen copy
 * to the header's prefix, so a change to a v1.0 slot fails the build.
 *
 * Built twice (tests/sdk.cmake):
 *   FROZEN_MINOR=0, FROZEN_EXTRA_SLOTS=0  a 1.0 plugin (the old-plugin/new-host direction
 *                                         once the host's minor grows);
 *   FROZEN_MINOR=WDHOST_ABI_MINOR+1, FROZEN_EXTRA_SLOTS=2  a plugin from a future minor with
 *                                         slots this host does not know: it must agree on
 *                                         the host's minor and never have those slots called.
 * Serves browserName FROZEN_BROWSER in-process: GET /url, POST /url, GET /title. */
#include <stdlib.h>
#include <string.h>
#include <wdhost/plugin.h>

#ifndef FROZEN_MINOR
#define FROZEN_MINOR 0u
#endif
#ifndef FROZEN_EXTRA_SLOTS
#define FROZEN_EXTRA_SLOTS 0
#endif
#ifndef FROZEN_BROWSER
#define FROZEN_BROWSER "frozen"
#endif

/* The v1.0 plugin table exactly as ABI 1.0 defined it. */
struct v1_0_table {
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
};

_Static_assert(sizeof(struct v1_0_table) == 88, "the frozen v1.0 table is 88 bytes on LP64");
_Static_assert(offsetof(struct v1_0_table, init) == offsetof(wdhost_plugin_vtable, init),
               "the header's v1.0 prefix moved");
_Static_assert(offsetof(struct v1_0_table, teardown) == offsetof(wdhost_plugin_vtable, teardown),
               "the header's v1.0 prefix moved");
_Static_assert(sizeof(wdhost_plugin_vtable) >= sizeof(struct v1_0_table),
               "the header's table shrank");

/* A table from a future minor: the 1.0 slots, then slots this host has never heard of. */
struct grown_table {
  struct v1_0_table v1;
  /* The optional slots this header added after 1.0 (1.1: warm), left NULL. */
  void (*since_1_0[(sizeof(wdhost_plugin_vtable) - sizeof(struct v1_0_table)) /
                   sizeof(void (*)(void))])(void);
  void (*future[4])(void); /* the first FROZEN_EXTRA_SLOTS are part of the table */
};
_Static_assert(FROZEN_EXTRA_SLOTS <= 4, "at most 4 future slots");

struct wdhost_plugin {
  const wdhost_host* host;
};
struct wdhost_session {
  const wdhost_host* host;
  char url[512];
};

static wdhost_str str(const char* text) {
  wdhost_str s = {text, strlen(text)};
  return s;
}

#define NOT_FOUND ((size_t)-1)

/* Where `text` first occurs in `s` at or after `from`, or NOT_FOUND (s is not NUL-terminated). */
static size_t find(wdhost_str s, const char* text, size_t from) {
  size_t size = strlen(text);
  size_t i;
  for (i = from; from != NOT_FOUND && i + size <= s.size; ++i)
    if (memcmp(s.data + i, text, size) == 0)
      return i;
  return NOT_FOUND;
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
  *out = plugin;
  return WDHOST_OK;
}

static void WDHOST_CALL deinit(wdhost_plugin* plugin) {
  free(plugin);
}

static wdhost_status WDHOST_CALL describe(wdhost_plugin* plugin, wdhost_reply* reply) {
  plugin->host->reply_json(reply, str("{\"browserName\":\"" FROZEN_BROWSER "\",\"platformName\":"
                                      "\"linux\",\"browsers\":[{\"name\":\"" FROZEN_BROWSER
                                      "\",\"version\":\"1.0.0\",\"path\":\"(in-process)\"}]}"));
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
  session->host = plugin->host;
  strcpy(session->url, "about:blank");
  plugin->host->reply_json(reply, str("{\"capabilities\":{\"browserName\":\"" FROZEN_BROWSER
                                      "\",\"browserVersion\":\"1.0.0\"}}"));
  *out = session;
  return WDHOST_OK;
}

static wdhost_status WDHOST_CALL command(wdhost_session* session, wdhost_str method,
                                         wdhost_str path, wdhost_str body, wdhost_reply* reply) {
  char value[600];
  if (equals(method, "GET") && equals(path, "/url")) {
    strcpy(value, "\"");
    strcat(value, session->url);
    strcat(value, "\"");
    session->host->reply_json(reply, str(value));
    return WDHOST_OK;
  }
  if (equals(method, "POST") && equals(path, "/url")) {
    /* {"url":"..."}: the first string after the "url" key; escapes are refused. */
    size_t key = find(body, "\"url\"", 0);
    size_t open = find(body, "\"", key + 5);
    size_t close = find(body, "\"", open + 1);
    if (key == NOT_FOUND || open == NOT_FOUND || close == NOT_FOUND ||
        close - open - 1 >= sizeof session->url ||
        memchr(body.data + open + 1, '\\', close - open - 1) != NULL) {
      session->host->reply_error(reply, str("invalid argument"), str("no plain \"url\" string"));
      return WDHOST_ERROR;
    }
    memcpy(session->url, body.data + open + 1, close - open - 1);
    session->url[close - open - 1] = '\0';
    session->host->reply_json(reply, str("null"));
    return WDHOST_OK;
  }
  if (equals(method, "GET") && equals(path, "/title")) {
    session->host->reply_json(reply, str("\"frozen\""));
    return WDHOST_OK;
  }
  session->host->reply_error(reply, str("unknown command"), str("not served by this plugin"));
  return WDHOST_ERROR;
}

static wdhost_status WDHOST_CALL teardown(wdhost_session* session, wdhost_reply* reply) {
  (void)reply;
  free(session);
  return WDHOST_OK;
}

static void future_slot(void) {
  abort(); /* a host that does not know this slot must never call it */
}

_Static_assert(offsetof(struct grown_table, future) == sizeof(wdhost_plugin_vtable),
               "the future slots must follow this header's whole table");

/* A 1.0 plugin's table ends after the 1.0 slots; a future one holds this header's slots and more.
 */
#define FROZEN_TABLE_SIZE                                                                          \
  (FROZEN_EXTRA_SLOTS == 0                                                                         \
       ? sizeof(struct v1_0_table)                                                                 \
       : sizeof(wdhost_plugin_vtable) + FROZEN_EXTRA_SLOTS * sizeof(void (*)(void)))

static const struct grown_table table = {
    {(uint32_t)(FROZEN_TABLE_SIZE), FROZEN_MINOR, "org.wdhost.test." FROZEN_BROWSER, FROZEN_BROWSER,
     "1.0.0", &init, &deinit, &describe, &negotiate, &launch, &command, &teardown},
    {NULL},
    {&future_slot, &future_slot, &future_slot, &future_slot}};

/* The same handshake as the SDK's: the major must match, the minor agreed is the lower. */
WDHOST_EXPORT wdhost_status WDHOST_CALL wdhost_plugin_entry(wdhost_negotiation* io) {
  if (io == NULL)
    return WDHOST_INCOMPATIBLE;
  if (io->struct_size < sizeof(wdhost_negotiation) || io->host_abi_major != WDHOST_ABI_MAJOR) {
    if (io->struct_size >= offsetof(wdhost_negotiation, vtable) + sizeof(io->vtable))
      io->vtable = NULL;
    return WDHOST_INCOMPATIBLE;
  }
  io->agreed_abi_minor =
      io->host_abi_minor < table.v1.abi_minor ? io->host_abi_minor : table.v1.abi_minor;
  /* The host reads the first struct_size bytes: the v1.0 table, then any future slots. */
  io->vtable = (const wdhost_plugin_vtable*)(const void*)&table;
  return WDHOST_OK;
}
