// The sessions API's plain requests (requestType "request", request.put/delete/patch): one HTTP
// exchange made by the host as the session's browser would make it (its user agent, its cookies
// for every hop, its upstream proxy), with no page load. Cookies the responses set are written
// back into the browser, so the session's state stays one.
#pragma once

#include "core/status.h"
#include "proxy/target_policy.h"
#include "proxy/upstream_proxy.h"
#include "sessions_api/document_hop.h"
#include "sessions_api/page_fetch.h"
#include "sessions_api/webdriver_call.h"

#include <chrono>
#include <functional>
#include <rapidjson/document.h>
#include <string>
#include <vector>

namespace wdh {

// What to send for a session.
struct PlainRequest {
  std::string method = "GET";      // GET, POST, PUT, DELETE, PATCH
  std::string url;                 // http(s) URL
  std::string body;                // request body ("" = none)
  std::string contentType;         // its Content-Type, unless customHeaders set one
  HeaderLines headers;             // customHeaders: replace the browser-like defaults by name
  std::vector<PageCookie> cookies; // added to the session first (cookiejar, cookies)
  std::string bidiUrl;             // the session's driver BiDi endpoint (required)
  UpstreamProxy upstream;          // the session's upstream proxy
  TargetPolicy policy;             // what every hop may connect to
  std::function<bool(const std::string& host)> allowed; // its allowlist; empty = all may
  std::chrono::milliseconds timeout{60000};             // the whole exchange
  bool listAllRedirects = false;                        // add listAllRedirectsResponse
};

// Sends `request` for session `id` and makes *solution the API's "solution": type "request",
// response (the body; base64 with responseEncoding "base64" when it is not UTF-8), statusCode,
// currentUrl, userAgent, method, requestHeaders, responseHeaders, cookies and cookieString for
// the final URL, and listAllRedirectsResponse when asked. InvalidArgument when the session has
// no BiDi (its cookies for any site can be read no other way).
Status requestPlain(WebDriverCalls& session, const PlainRequest& request,
                    rapidjson::Document* solution);

} // namespace wdh
