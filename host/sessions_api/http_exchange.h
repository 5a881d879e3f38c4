// A plain HTTP(S) exchange made by the host for a session (the sessions API's requestType
// "request" and request.put/delete/patch): through the session's upstream proxy, following
// redirects as a browser does, with the session's cookies asked for at every hop.
#pragma once

#include "core/status.h"
#include "proxy/target_policy.h"
#include "proxy/upstream_proxy.h"
#include "sessions_api/document_hop.h"

#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace wdh {

// What to send.
struct HttpExchangeRequest {
  std::string method = "GET"; // GET, POST, PUT, DELETE, PATCH
  std::string url;            // http:// or https://
  HeaderLines headers;        // sent at every hop; Host, Cookie and Content-Length are the host's
  std::string body;           // sent with the first request (and again on 307/308)
  UpstreamProxy upstream;     // the session's upstream; Kind::None = direct
  TargetPolicy policy;        // what every hop may connect to (checked on the address dialed)
  std::chrono::milliseconds timeout{60000}; // the whole exchange, redirects included
  int maxRedirects = 20;                    // as browsers allow
  std::size_t maxBodyBytes = 32u << 20;     // a larger response body is an error
  // Whether a hop may go to this host (a session's allowlist); may be empty (all may).
  std::function<bool(const std::string& host)> allowed;
  // The Cookie header for a hop's URL ("" for none); may be empty.
  std::function<std::string(const Poco::URI&)> cookiesFor;
  // Called with each response's URL and head before the next hop (to store its Set-Cookie).
  std::function<void(const Poco::URI&, const Poco::Net::HTTPResponse&)> received;
};

// What came back.
struct HttpExchangeResult {
  std::vector<DocumentHop> chain; // every request and response, redirects first
  std::string body;               // the final response's body, decoded (gzip, deflate)
  std::string finalUrl;           // where the redirects ended
};

// Runs `request`. Errors: InvalidArgument for a URL or redirect target that is not http(s), or
// that the policy refuses (naming the address and the option), InsecureCertificate for a TLS
// certificate that does not verify, Timeout, and UnknownError naming the host for anything the
// network refused.
Status httpExchange(const HttpExchangeRequest& request, HttpExchangeResult* out);

} // namespace wdh
