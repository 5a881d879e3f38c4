// One HTTP exchange as the request handler sees it, independent of the transport that carried it.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace wdh {

// A complete request: what routing, authentication and the handlers need.
struct Request {
  std::string method;               // "GET", "POST", ...
  std::string target;               // path and query, as sent
  std::string authorization;        // the Authorization header; empty when absent
  std::string host;                 // the Host header; empty when absent
  std::string accept;               // the Accept header; empty when absent
  std::string cookie;               // the Cookie header; empty when absent
  std::string csrfToken;            // the X-Wdhost-Csrf header; empty when absent
  std::string contentType;          // the Content-Type header; empty when absent
  int clientFd = -1;                // the client's socket, to ask its peer address
  std::string body;                 // the whole body (already de-chunked)
  std::function<bool()> clientGone; // true once the client has closed its connection; may be empty
};

// The answer to one request.
struct Reply {
  int status = 200;            // HTTP status
  std::string contentType;     // empty: "application/json; charset=utf-8"
  std::string body;            // sent as is
  std::string wwwAuthenticate; // sent as WWW-Authenticate when not empty
  std::vector<std::pair<std::string, std::string>> headers; // further headers, sent as given
  bool closeConnection = false;                             // end the connection after this reply
};

} // namespace wdh
