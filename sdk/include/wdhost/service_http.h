/* The host services "wdhost.http/1" and "wdhost.http/2": a blocking HTTP/1.1 client.
 * Part of the wdhost plugin ABI (plugin.h, whose rules hold here too); pure C. */
#ifndef WDHOST_SERVICE_HTTP_H
#define WDHOST_SERVICE_HTTP_H

#include <wdhost/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The most of a response body either service buffers unless told otherwise: 64 MiB. */
#define WDHOST_HTTP_DEFAULT_MAX_RESPONSE_BYTES 67108864u

/* ---- Service "wdhost.http/1": a blocking HTTP/1.1 client ---------------------------- */
#define WDHOST_SERVICE_HTTP "wdhost.http/1"

typedef struct wdhost_http_service {
  uint32_t struct_size;

  /* Sends one request to an http:// URL and waits at most timeout_ms for the whole exchange
   * (connect, send, the answer's head and body: one deadline, not one per step). A non-empty
   * body is sent as application/json. An answer whose body passes
   * WDHOST_HTTP_DEFAULT_MAX_RESPONSE_BYTES is an ERROR, never buffered further. OK:
   * *out_status is the HTTP status and `response` receives the body. ERROR: `response`
   * receives why no answer came. Thread-safe. */
  wdhost_status(WDHOST_CALL* request)(const wdhost_host* host, wdhost_str method, wdhost_str url,
                                      wdhost_str body, uint32_t timeout_ms, uint32_t* out_status,
                                      wdhost_sink response);
} wdhost_http_service;

/* ---- Service "wdhost.http/2" [1.3]: headers, one deadline, a size cap ----------------- */
#define WDHOST_SERVICE_HTTP2 "wdhost.http/2"

/* One request header; both borrowed for the call. */
typedef struct wdhost_http_header {
  wdhost_str name;  /* "Accept"; no CR, LF or ':'        */
  wdhost_str value; /* "application/json"; no CR or LF   */
} wdhost_http_header;

/* What to send. Owned by the caller; read only during request(). */
typedef struct wdhost_http_request {
  uint32_t struct_size; /* sizeof(wdhost_http_request) in the plugin's build          */
  /* The whole exchange (connect, send, the answer's head and all its body) ends by then:
   * the call returns TIMEOUT at timeout_ms at the latest. */
  uint32_t timeout_ms;
  wdhost_str method;                 /* "GET", "POST", ...                                  */
  wdhost_str url;                    /* http:// only                                        */
  const wdhost_http_header* headers; /* header_count headers, or NULL; sent as given (there
                                        is no default Content-Type); at most 64             */
  uint32_t header_count;             /* how many headers                                    */
  uint32_t reserved;                 /* 0                                                   */
  wdhost_str body;                   /* sent with its Content-Length; empty = no body       */
  uint64_t max_response_bytes;       /* 0 = WDHOST_HTTP_DEFAULT_MAX_RESPONSE_BYTES          */
  /* NULL, or the context of the plugin call this request serves: the exchange then also ends
   * at the context's deadline and as soon as it is cancelled. */
  const wdhost_call_context* context;
} wdhost_http_request;

/* Where the answer goes; the sinks are the caller's (see wdhost_sink). */
typedef struct wdhost_http_response {
  uint32_t struct_size; /* sizeof(wdhost_http_response) in the plugin's build          */
  uint32_t status;      /* out: the HTTP status, 0 when no answer came               */
  wdhost_sink headers;  /* each response header as "Name: value\r\n", in order        */
  wdhost_sink body;     /* the response body, at most max_response_bytes               */
  wdhost_sink error;    /* why no (whole) answer came                                 */
} wdhost_http_response;

typedef struct wdhost_http2_service {
  uint32_t struct_size;

  /* Sends `request` and writes the answer to `response`. OK: response->status and the
   * headers and body sinks are set. TIMEOUT: the deadline passed (or the context was
   * cancelled) first. ERROR: no answer, a malformed request, or a body larger than the cap
   * (the error sink says which; what the body sink got is incomplete). Thread-safe. */
  wdhost_status(WDHOST_CALL* request)(const wdhost_host* host, const wdhost_http_request* request,
                                      wdhost_http_response* response);
} wdhost_http2_service;

#ifdef __cplusplus
}
#endif
#endif /* WDHOST_SERVICE_HTTP_H */
