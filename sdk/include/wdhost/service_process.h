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

/* Limits of a spawn request; a request past them is refused (ERROR saying which), never cut. */
#define WDHOST_SPAWN_MAX_ITEMS 4096u        /* entries of argv, and of env              */
#define WDHOST_SPAWN_MAX_ITEM_BYTES 131072u /* bytes of one entry (Linux MAX_ARG_STRLEN) */

/* [1.3] Which of the host's environment variables a process starts with (env_mode). */
typedef uint32_t wdhost_env_mode;
#define WDHOST_ENV_INHERIT_ALLOWED                                                                 \
  0u                       /* the host's allowlisted variables (PATH, HOME, locale,                \
                              display, TMPDIR, ...; see the operator's --pass-env),                \
                              then `env` on top: the 1.0 behaviour              */
#define WDHOST_ENV_NONE 1u /* `env` only                                         */

/* What to start. Owned by the caller; read only during spawn(). Fields past struct_size are
 * taken as their defaults (a 1.0-1.2 plugin's request ends after `owner`). */
typedef struct wdhost_spawn_request {
  uint32_t struct_size;    /* sizeof(wdhost_spawn_request) in the plugin's build        */
  const char* const* argv; /* NULL-terminated; argv[0] is an absolute path             */
  const char* const* env;  /* NULL-terminated "NAME=value" added to the host's env, or NULL */
  wdhost_str owner;        /* the host session id this process serves, or empty        */

  /* ---- Fields added in later minors go below this line. ---- */

  /* [1.3] The working directory, an absolute path to an existing directory; NULL = the
   * host's own. */
  const char* cwd;
  /* [1.3] WDHOST_ENV_INHERIT_ALLOWED (0, the default) or WDHOST_ENV_NONE; others are refused. */
  wdhost_env_mode env_mode;
  uint32_t reserved; /* 0 */
} wdhost_spawn_request;

/* A process's state as returned by poll(). */
typedef int32_t wdhost_process_state;
#define WDHOST_PROCESS_RUNNING 0
#define WDHOST_PROCESS_EXITED 1   /* detail = exit code    */
#define WDHOST_PROCESS_SIGNALED 2 /* detail = signal number */

typedef struct wdhost_process_service {
  uint32_t struct_size;

  /* Starts a process; stdin is /dev/null, stdout and stderr are captured by the host (the
   * last 64 KiB kept). OK: *out_process is a handle valid until terminate(). ERROR: `error`
   * receives why (nothing was started): a missing or oversized argv or env (see
   * WDHOST_SPAWN_MAX_*), a bad cwd or env_mode, or the exec failing. Thread-safe. */
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

  /* [1.3] Blocks until the process ends or timeout_ms passes, whichever is first; never longer.
   * OK: it ended, *out_state is EXITED or SIGNALED and *out_detail the exit code or signal
   * (either pointer may be NULL). TIMEOUT: it still runs. ERROR: unknown handle. The handle
   * stays valid until terminate(). Thread-safe. */
  wdhost_status(WDHOST_CALL* wait_exit)(const wdhost_host* host, uint64_t process,
                                        uint32_t timeout_ms, wdhost_process_state* out_state,
                                        int32_t* out_detail);
} wdhost_process_service;

#ifdef __cplusplus
}
#endif
#endif /* WDHOST_SERVICE_PROCESS_H */
