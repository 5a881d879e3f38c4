// A one-shot blocking HTTP/1.1 call with one deadline for the whole exchange and a cap on the
// body, for plugins (wdhost.http/1 and /2) and probes.
#pragma once

#include "core/status.h"

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
  std::string url;                                          // http:// only
  std::vector<std::pair<std::string, std::string>> headers; // sent as given
  std::string body;                                         // "" = none
  bool jsonBody = false; // send a non-empty body as application/json (wdhost.http/1)
  std::chrono::steady_clock::time_point deadline; // the whole exchange ends by then
  std::size_t maxBody = kHttpCallMaxBody;         // a larger body is an error, not buffered
  std::function<bool()> cancelled;                // polled while waiting; may be empty
};

// The answer to an HTTP call.
struct HttpCallResult {
  int status = 0;                                           // HTTP status code
  std::string body;                                         // the whole response body
  std::vector<std::pair<std::string, std::string>> headers; // in order
};

// Sends `request` and reads the whole answer by its deadline: every wait (connect, send, the
// head, each read of the body) is bounded by what is left of it, and cancellation is seen
// within 250 ms. Timeout when the deadline passed or the call was cancelled; InvalidArgument
// for a malformed request; UnknownError with the cause when no whole answer came (a body past
// request.maxBody included).
Status httpCall(const HttpCallRequest& request, HttpCallResult* out);

// Sends `method url` (http:// only) with an optional JSON body and waits at most `timeout`
// for the whole answer (a body up to kHttpCallMaxBody). UnknownError with the cause when no
// answer came.
Status httpCall(std::string_view method, std::string_view url, std::string_view body,
                std::chrono::milliseconds timeout, HttpCallResult* out);

} // namespace wdh
