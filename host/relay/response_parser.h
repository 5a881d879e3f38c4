// Reading an upstream driver's HTTP/1.1 response out of the bytes received from it.
#pragma once

#include "core/status.h"
#include "http/framing.h"

#include <cstddef>
#include <string>
#include <string_view>

namespace wdh {

// One response read from the bytes.
struct ParsedResponse {
  int status = 0;           // HTTP status
  std::string contentType;  // the Content-Type header, empty when absent
  std::string body;         // de-chunked
  bool keepAlive = true;    // the connection can carry the next request
  std::size_t consumed = 0; // bytes of the input this response used (when Complete)
};

// Reads the first final response in `bytes` (1xx interim responses are skipped).
// `peerClosed`: the upstream closed the connection after these bytes, which ends a body that
// has neither Content-Length nor chunking. `headRequest`: the request was HEAD (no body).
// Invalid (UnknownError) when the bytes are not an HTTP response.
ParseState parseResponse(std::string_view bytes, bool peerClosed, bool headRequest,
                         ParsedResponse* out, Status* error);

} // namespace wdh
