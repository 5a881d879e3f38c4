// Reading HTTP/1.1 requests out of a connection's received bytes: where one ends, what it says.
#pragma once

#include "core/status.h"
#include "http/exchange.h"
#include "http/framing.h"
#include "http/websocket.h"

#include <cstddef>
#include <string>
#include <string_view>

namespace wdh {

// Limits a request must respect.
struct RequestLimits {
  std::size_t maxHeadSize = 64 * 1024;        // request line and headers, in bytes
  std::size_t maxBodySize = 16 * 1024 * 1024; // body after de-chunking, in bytes
};

// Reads the first request in `bytes`. Leading empty lines are skipped (and counted in
// `consumed`). On Invalid, `*error` says what is wrong (InvalidArgument); a body over
// `limits.maxBodySize` is Invalid as soon as its announced length is known.
ParseState parseRequest(std::string_view bytes, const RequestLimits& limits, Request* out,
                        Status* error);

} // namespace wdh
