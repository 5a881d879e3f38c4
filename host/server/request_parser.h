// Reading HTTP/1.1 requests out of a connection's received bytes: where one ends, what it says.
#pragma once

#include "core/status.h"
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

// One request read from the bytes, with what the connection needs to know about it.
struct ParsedRequest {
  std::string method;
  std::string target;
  std::string authorization;    // the Authorization header, empty when absent
  std::string host;             // the Host header, empty when absent
  std::string accept;           // the Accept header, empty when absent
  std::string cookie;           // the Cookie header, empty when absent
  std::string csrfToken;        // the X-Wdhost-Csrf header, empty when absent
  std::string contentType;      // the Content-Type header, empty when absent
  WebSocketUpgrade upgrade;     // what the request says of a websocket upgrade
  std::string body;             // de-chunked
  bool keepAlive = true;        // the client keeps the connection (HTTP/1.1 default)
  bool http10 = false;          // an HTTP/1.0 request
  bool expectsContinue = false; // "Expect: 100-continue" and the body is not all here yet
  std::size_t consumed = 0;     // bytes of the input this request used (when Complete)
};

// Reads the first request in `bytes`. Leading empty lines are skipped (and counted in
// `consumed`). On Invalid, `*error` says what is wrong (InvalidArgument); a body over
// `limits.maxBodySize` is Invalid as soon as its announced length is known.
ParseState parseRequest(std::string_view bytes, const RequestLimits& limits, ParsedRequest* out,
                        Status* error);

} // namespace wdh
