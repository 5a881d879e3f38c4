// The host's one HTTP client: a one-shot blocking HTTP/1.1 exchange (http or https) with one
// deadline for the whole of it, a cap on the body, and cancellation; over a direct connection or
// one the caller opens (a proxy's tunnel). Plugins' wdhost.http service, the sessions API's
// plain requests and the live view use it; only the relay's fast path to drivers has its own
// (relay/relay_call.h), which never blocks the thread.
#pragma once

#include "core/status.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/URI.h>
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wdh {

// The most of a response body a call buffers unless told otherwise (64 MiB).
inline constexpr std::size_t kHttpCallMaxBody = 64u << 20;

// One HTTP call.
struct HttpCallRequest {
  std::string method = "GET";
  std::string url;                                          // http:// or https://
  std::vector<std::pair<std::string, std::string>> headers; // sent as given (Host may be set)
  std::string body;                                         // "" = none
  bool jsonBody = false; // send a non-empty body as application/json (wdhost.http/1)
  std::chrono::steady_clock::time_point deadline; // the whole exchange ends by then
  std::size_t maxBody = kHttpCallMaxBody;         // a larger body is an error, not buffered
  std::function<bool()> cancelled;                // polled while waiting; may be empty
  // Opens the connection to the URL's host and port (a proxy's tunnel) by `deadline`; empty:
  // a direct TCP connection. An https URL then gets TLS over it, verified against the system's
  // CAs and the URL's host.
  std::function<Status(const Poco::URI& url, std::chrono::steady_clock::time_point deadline,
                       Poco::Net::StreamSocket* out)>
      connect;
  bool decodeBody = false; // undo a gzip or deflate Content-Encoding (the cap counts decoded)
};

// The answer to an HTTP call.
struct HttpCallResult {
  int status = 0;                                               // HTTP status code
  std::string body;                                             // the whole response body
  std::vector<std::pair<std::string, std::string>> headers;     // in order
  std::vector<std::pair<std::string, std::string>> sentHeaders; // the request's, as sent
};

// Sends `request` and reads the whole answer by its deadline (informational 1xx answers are
// skipped): every wait (connect, send, the head, each read of the body) is bounded by what is
// left of it, and cancellation is seen within 250 ms. Timeout when the deadline passed or the
// call was cancelled; InvalidArgument for a malformed request; InsecureCertificate when TLS does
// not verify; UnknownError with the cause when no whole answer came (a body past
// request.maxBody included); the connect callback's own error as it gave it.
Status httpCall(const HttpCallRequest& request, HttpCallResult* out);

// The TLS client context of the process: the system's CAs (SSL_CERT_FILE and SSL_CERT_DIR are
// honoured), the peer and its host name verified.
Poco::Net::Context::Ptr tlsClientContext();

// Sends `method url` with an optional JSON body and waits at most `timeout`
// for the whole answer (a body up to kHttpCallMaxBody). UnknownError with the cause when no
// answer came.
Status httpCall(std::string_view method, std::string_view url, std::string_view body,
                std::chrono::milliseconds timeout, HttpCallResult* out);

} // namespace wdh
