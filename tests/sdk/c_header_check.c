/* The ABI header must compile as strict C11 (-Wall -Wextra -pedantic -Werror). */
#include <wdhost/plugin.h>

/* Layout pins for ABI v1 on LP64: an accidental change to a table fails the build. */
_Static_assert(sizeof(wdhost_str) == 16, "wdhost_str layout changed");
_Static_assert(offsetof(wdhost_negotiation, vtable) == 16, "wdhost_negotiation layout changed");
_Static_assert(offsetof(wdhost_plugin_vtable, init) == 32, "vtable head changed");
_Static_assert(offsetof(wdhost_plugin_vtable, teardown) == 80, "vtable v1 slots changed");
_Static_assert(offsetof(wdhost_plugin_vtable, warm) == 88, "vtable 1.1 slot moved");
_Static_assert(offsetof(wdhost_process_service, terminate) == 32, "process service 1.0 changed");
_Static_assert(offsetof(wdhost_process_service, set_owner) == 40, "process service 1.1 moved");
_Static_assert(offsetof(wdhost_host, get_service) == 56, "host table v1 changed");
_Static_assert(offsetof(wdhost_host, reply_error_data) == 64, "host table 1.2 slot moved");
_Static_assert(sizeof(wdhost_host) == 72, "the host table grew: it ends at reply_error_data");
_Static_assert(offsetof(wdhost_spawn_request, owner) == 24, "spawn request 1.0 changed");
_Static_assert(offsetof(wdhost_tempdir_service, remove) == 16, "tempdir service 1.0 changed");
_Static_assert(offsetof(wdhost_http_service, request) == 8, "http/1 service changed");

/* 1.3: the slots after warm, then the frozen end of the plugin table. */
_Static_assert(offsetof(wdhost_plugin_vtable, launch_ctx) == 96, "vtable 1.3 launch_ctx moved");
_Static_assert(offsetof(wdhost_plugin_vtable, command_ctx) == 104, "vtable 1.3 command_ctx moved");
_Static_assert(offsetof(wdhost_plugin_vtable, get_extension) == 112, "vtable 1.3 slot moved");
_Static_assert(sizeof(wdhost_plugin_vtable) == 120,
               "the plugin table is frozen after get_extension: add an extension instead");
_Static_assert(offsetof(wdhost_call_context, deadline_ms) == 8, "call context changed");
_Static_assert(offsetof(wdhost_call_context, is_cancelled) == 24, "call context changed");
_Static_assert(sizeof(wdhost_call_context) == 32, "call context 1.3 size changed");
_Static_assert(offsetof(wdhost_spawn_request, cwd) == 40, "spawn request 1.3 cwd moved");
_Static_assert(offsetof(wdhost_spawn_request, env_mode) == 48, "spawn request 1.3 moved");
_Static_assert(sizeof(wdhost_spawn_request) == 56, "spawn request 1.3 size changed");
_Static_assert(offsetof(wdhost_process_service, wait_exit) == 48, "process service 1.3 moved");
_Static_assert(offsetof(wdhost_tempdir_service, set_owner) == 24, "tempdir service 1.3 moved");
_Static_assert(offsetof(wdhost_http_request, body) == 56, "http/2 request changed");
_Static_assert(offsetof(wdhost_http_request, context) == 80, "http/2 request changed");
_Static_assert(sizeof(wdhost_http_request) == 88, "http/2 request 1.3 size changed");
_Static_assert(offsetof(wdhost_http_response, error) == 40, "http/2 response changed");
_Static_assert(offsetof(wdhost_http2_service, request) == 8, "http/2 service changed");
_Static_assert(offsetof(wdhost_warm_extension, warm) == 8, "wdhost.warm/1 changed");

int wdhost_c_header_check(void) {
  return (int)sizeof(wdhost_plugin_vtable);
}
