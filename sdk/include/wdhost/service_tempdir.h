/* The host service "wdhost.tempdir/1": private temporary directories.
 * Part of the wdhost plugin ABI (plugin.h, whose rules hold here too); pure C. */
#ifndef WDHOST_SERVICE_TEMPDIR_H
#define WDHOST_SERVICE_TEMPDIR_H

#include <wdhost/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Service "wdhost.tempdir/1": private temporary directories -------------------
 * Created mode 0700 under the host's instance directory; removed when the owner session
 * ends, when the host exits, and (after a crash) at the host's next start. Paths written to
 * sinks are absolute and are the plugin's to copy. */
#define WDHOST_SERVICE_TEMPDIR "wdhost.tempdir/1"

typedef struct wdhost_tempdir_service {
  uint32_t struct_size;

  /* Creates a new empty directory and writes its absolute path to `path`. `owner` is a
   * session id or empty (then the directory lives until remove() or host exit). `hint` is
   * a short [A-Za-z0-9_-] label put in the name. ERROR: `path` receives why. Thread-safe. */
  wdhost_status(WDHOST_CALL* create)(const wdhost_host* host, wdhost_str owner, wdhost_str hint,
                                     wdhost_sink path);

  /* Removes a directory made by create(), recursively. Other paths are refused. Thread-safe. */
  wdhost_status(WDHOST_CALL* remove)(const wdhost_host* host, wdhost_str path);

  /* ---- Fields added in later minors go below this line. ---- */

  /* [1.3] Makes session `owner` (or none, when empty) the owner of a directory made by
   * create(), as process set_owner does for processes: e.g. the profile directory of a driver
   * started ahead of time that a launch now takes over, so that it goes with that session.
   * ERROR for any other path. Thread-safe. */
  wdhost_status(WDHOST_CALL* set_owner)(const wdhost_host* host, wdhost_str path, wdhost_str owner);
} wdhost_tempdir_service;

#ifdef __cplusplus
}
#endif
#endif /* WDHOST_SERVICE_TEMPDIR_H */
