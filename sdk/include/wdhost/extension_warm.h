/* The plugin extension "wdhost.warm/1": drivers started ahead of launches.
 * Part of the wdhost plugin ABI (plugin.h, whose rules hold here too); pure C. */
#ifndef WDHOST_EXTENSION_WARM_H
#define WDHOST_EXTENSION_WARM_H

#include <wdhost/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Extension "wdhost.warm/1" [1.3]: drivers started ahead of launches ------------------
 * Returned by the plugin's get_extension("wdhost.warm/1"); plugin-owned, valid and unchanged
 * until deinit() returns. It replaces the 1.1 plugin-table slot `warm`, which a 1.3 host reads
 * only from plugins without get_extension. */
#define WDHOST_EXTENSION_WARM "wdhost.warm/1"

typedef struct wdhost_warm_extension {
  uint32_t struct_size; /* sizeof(wdhost_warm_extension) in the plugin's build */

  /* [thread-safe] Keep `count` drivers started ahead of launches (0: none), so that a launch
   * skips starting one. Returns at once; the plugin starts them on its own thread(s), owned by
   * no session, and ends them and joins at deinit(). OK, or ERROR + reply_error saying why. */
  wdhost_status(WDHOST_CALL* warm)(wdhost_plugin* plugin, uint32_t count, wdhost_reply* reply);
} wdhost_warm_extension;

#ifdef __cplusplus
}
#endif
#endif /* WDHOST_EXTENSION_WARM_H */
