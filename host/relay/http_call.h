// A one-shot blocking HTTP/1.1 call with a deadline, for plugins (wdhost.http/1) and probes.
#pragma once

#include "core/status.h"

#include <chrono>
#include <string>
#include <string_view>

namespace wdh {

// The answer to an HTTP call.
struct HttpCallResult {
  int status = 0;   // HTTP status code
  std::string body; // the whole response body
};

// Sends `method url` (http:// only) with an optional JSON body and waits at most `timeout`
// for the whole answer. UnknownError with the cause when no answer came.
Status httpCall(std::string_view method, std::string_view url, std::string_view body,
                std::chrono::milliseconds timeout, HttpCallResult* out);

} // namespace wdh
