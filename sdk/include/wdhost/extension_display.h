/* The plugin extension "wdhost.display/1": the screen a session's browser is shown on, so that
 * the host can record it (x11grab) for backends without a DevTools screencast.
 * Part of the wdhost plugin ABI (plugin.h, whose rules hold here too); pure C. */
#ifndef WDHOST_EXTENSION_DISPLAY_H
#define WDHOST_EXTENSION_DISPLAY_H

#include <wdhost/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Extension "wdhost.display/1" [1.3]: where a session's browser is shown --------------
 * Returned by the plugin's get_extension("wdhost.display/1"); plugin-owned, valid and unchanged
 * until deinit() returns. A plugin without it is never recorded from a display. */
#define WDHOST_EXTENSION_DISPLAY "wdhost.display/1"

typedef struct wdhost_display_extension {
  uint32_t struct_size; /* sizeof(wdhost_display_extension) in the plugin's build */

  /* [any thread; between launch() returning the session and its teardown()] Where `session`'s
   * browser is shown: reply_json {"x11": ":N", "width": W, "height": H} for an X display of
   * W x H pixels the host may capture and that lives as long as the session (a private Xvfb),
   * or reply_json null when it is shown on none the host may capture (headless, or a display
   * the plugin did not start). OK, or ERROR + reply_error saying why. */
  wdhost_status(WDHOST_CALL* display)(wdhost_session* session, wdhost_reply* reply);
} wdhost_display_extension;

#ifdef __cplusplus
}
#endif
#endif /* WDHOST_EXTENSION_DISPLAY_H */
