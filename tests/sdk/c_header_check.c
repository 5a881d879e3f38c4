/* The ABI header must compile as strict C11 (-Wall -Wextra -pedantic -Werror). */
#include <wdhost/plugin.h>

/* Layout pins for ABI v1 on LP64: an accidental change to a table fails the build. */
_Static_assert(sizeof(wdhost_str) == 16, "wdhost_str layout changed");
_Static_assert(offsetof(wdhost_negotiation, vtable) == 16, "wdhost_negotiation layout changed");
_Static_assert(offsetof(wdhost_plugin_vtable, init) == 32, "vtable head changed");
_Static_assert(offsetof(wdhost_plugin_vtable, teardown) == 80, "vtable v1 slots changed");
_Static_assert(offsetof(wdhost_plugin_vtable, warm) == 88, "vtable 1.1 slot moved");
_Static_assert(sizeof(wdhost_plugin_vtable) == 96, "vtable 1.1 size changed");
_Static_assert(offsetof(wdhost_process_service, terminate) == 32, "process service 1.0 changed");
_Static_assert(offsetof(wdhost_process_service, set_owner) == 40, "process service 1.1 moved");
_Static_assert(offsetof(wdhost_host, get_service) == 56, "host table v1 changed");

int wdhost_c_header_check(void) {
  return (int)sizeof(wdhost_plugin_vtable);
}
