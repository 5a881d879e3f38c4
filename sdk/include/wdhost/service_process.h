/* The host service "wdhost.process/1": child processes owned and watched by the host.
 * Part of the wdhost plugin ABI (plugin.h, whose rules hold here too); pure C. */
#ifndef WDHOST_SERVICE_PROCESS_H
#define WDHOST_SERVICE_PROCESS_H

#include <wdhost/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Service "wdhost.process/1": child processes owned and watched by the host ------
 * The host starts each process in its own process group under a guard that kills the
 * whole process tree (daemonized descendants included) when the process is terminated,
 * when it exits, or when the host dies, even by SIGKILL. Processes with an owner are
 * also terminated by the host when that session ends, whatever the plugin does. */
#define WDHOST_SERVICE_PROCESS "wdhost.process/1"

/* What to start. Owned by the caller; read only during spawn(). */
typedef struct wdhost_spawn_request {
  uint32_t struct_size;    /* sizeof(wdhost_spawn_request) in the plugin's build        */
  const char* const* argv; /* NULL-terminated; argv[0] is an absolute path             */
  const char* const* env;  /* NULL-terminated "NAME=value" added to the host's env, or NULL */
  wdhost_str owner;        /* the host session id this process serves, or empty        */
} wdhost_spawn_request;

/* A process's state as returned by poll(). */
typedef int32_t wdhost_process_state;
#define WDHOST_PROCESS_RUNNING 0
#define WDHOST_PROCESS_EXITED 1   /* detail = exit code    */
#define WDHOST_PROCESS_SIGNALED 2 /* detail = signal number */

typedef struct wdhost_process_service {
  uint32_t struct_size;

  /* Starts a process; stdout and stderr are captured by the host (the last 64 KiB kept).
   * OK: *out_process is a handle valid until release(). ERROR: `error` receives why.
   * Thread-safe. */
  wdhost_status(WDHOST_CALL* spawn)(const wdhost_host* host, const wdhost_spawn_request* request,
                                    uint64_t* out_process, wdhost_sink error);

  /* Blocks until the captured output contains `needle`, the process ends, or timeout_ms
   * passes. Writes the captured output to `output` in every case. Returns OK when found,
   * ERROR when the process ended first, TIMEOUT otherwise. Thread-safe. */
  wdhost_status(WDHOST_CALL* wait_output)(const wdhost_host* host, uint64_t process,
                                          wdhost_str needle, uint32_t timeout_ms,
                                          wdhost_sink output);

  /* Reads the state without blocking; *out_detail is the exit code or the signal.
   * Returns ERROR for an unknown handle. Thread-safe. */
  wdhost_status(WDHOST_CALL* poll)(const wdhost_host* host, uint64_t process,
                                   wdhost_process_state* out_state, int32_t* out_detail);

  /* Ends the process tree: SIGTERM, then SIGKILL after grace_ms; blocks until it is gone,
   * then invalidates the handle. Safe on a process that already exited. Thread-safe. */
  void(WDHOST_CALL* terminate)(const wdhost_host* host, uint64_t process, uint32_t grace_ms);

  /* [1.1] Makes session `owner` (or none, when empty) the owner of a running process, e.g. a
   * driver started ahead of time that a launch now takes over. ERROR for an unknown handle.
   * Thread-safe. */
  wdhost_status(WDHOST_CALL* set_owner)(const wdhost_host* host, uint64_t process,
                                        wdhost_str owner);
} wdhost_process_service;

#ifdef __cplusplus
}
#endif
#endif /* WDHOST_SERVICE_PROCESS_H */
