/* The host service "wdhost.http/1": a blocking HTTP/1.1 client.
 * Part of the wdhost plugin ABI (plugin.h, whose rules hold here too); pure C. */
#ifndef WDHOST_SERVICE_HTTP_H
#define WDHOST_SERVICE_HTTP_H

#include <wdhost/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Service "wdhost.http/1": a blocking HTTP/1.1 client ---------------------------- */
#define WDHOST_SERVICE_HTTP "wdhost.http/1"

typedef struct wdhost_http_service {
  uint32_t struct_size;

  /* Sends one request to an http:// URL and waits at most timeout_ms for the whole answer.
   * A non-empty body is sent as application/json. OK: *out_status is the HTTP status and
   * `response` receives the body. ERROR: `response` receives why no answer came. Thread-safe. */
  wdhost_status(WDHOST_CALL* request)(const wdhost_host* host, wdhost_str method, wdhost_str url,
                                      wdhost_str body, uint32_t timeout_ms, uint32_t* out_status,
                                      wdhost_sink response);
} wdhost_http_service;

#ifdef __cplusplus
}
#endif
#endif /* WDHOST_SERVICE_HTTP_H */
