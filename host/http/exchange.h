// One HTTP exchange: the request as the parser reads it and the handler sees it, and the reply.
#pragma once

#include "http/websocket.h"

#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace wdh {

// A request: what routing, authentication and the handlers need, and how the connection goes on.
struct Request {
  std::string method;               // "GET", "POST", ...
  std::string target;               // path and query, as sent
  std::string authorization;        // the Authorization header; empty when absent
  std::string host;                 // the Host header; empty when absent
  std::string accept;               // the Accept header; empty when absent
  std::string cookie;               // the Cookie header; empty when absent
  std::string csrfToken;            // the X-Wdhost-Csrf header; empty when absent
  std::string contentType;          // the Content-Type header; empty when absent
  std::string origin;               // the Origin header (sent by browsers); empty when absent
  std::string secFetchSite;         // the Sec-Fetch-Site header (browsers); empty when absent
  std::string secFetchMode;         // the Sec-Fetch-Mode header (browsers); empty when absent
  std::string range;                // the Range header; empty when absent
  std::size_t contentLength = 0;    // the announced body size (Content-Length), 0 when chunked
  bool headComplete = false;        // the head is read (even while the body is still coming)
  int clientFd = -1;                // the client's socket, to ask its peer address
  std::string body;                 // the whole body (already de-chunked)
  std::function<bool()> clientGone; // true once the client has closed its connection; may be empty
  WebSocketUpgrade upgrade;         // what the request says of a websocket upgrade
  bool keepAlive = true;            // the client keeps the connection (HTTP/1.1 default)
  bool http10 = false;              // an HTTP/1.0 request
  bool expectsContinue = false;     // "Expect: 100-continue" and the body is not all here yet
  std::size_t consumed = 0;         // bytes of the input this request used (parser)
};

// The answer to one request.
struct Reply {
  int status = 200;        // HTTP status
  std::string contentType; // empty: "application/json; charset=utf-8"
  std::string body;        // sent as is
  std::vector<std::pair<std::string, std::string>> headers; // further headers, sent as given
  bool closeConnection = false;                             // end the connection after this reply
};

} // namespace wdh
