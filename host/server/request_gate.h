// The checks every request and websocket upgrade passes before routing, so that no web page in a
// browser on this machine (or one reached by DNS rebinding) can drive the host: the Host header
// must name this host, a browser's Origin or cross-site fetch must be one the operator allowed,
// and a POST must not carry a body type a page may send without a CORS preflight.
#pragma once

#include "core/status.h"
#include "http/exchange.h"

#include <string>
#include <string_view>
#include <vector>

namespace wdh {

// What the gate lets through beyond loopback, IP literals and the host's own pages.
struct GatePolicy {
  std::vector<std::string> allowedHosts;   // names the Host header may carry (lower case)
  std::vector<std::string> allowedOrigins; // origins allowed to send requests; "*" for any
};

// A refusal: the HTTP status to answer with and the W3C error saying which header is wrong and
// which option would allow it.
struct GateRefusal {
  int httpStatus = 403;
  Status status;
};

// Ok when `hostHeader` (the Host header without surrounding spaces; may be empty when the
// client sent none) names an IP address, localhost, or a name of `policy.allowedHosts`.
bool hostAllowed(std::string_view hostHeader, const GatePolicy& policy);

// True when `origin` is one of the host's own: the origin of its pages as reached through
// `hostHeader` (http or https), or one of `policy.allowedOrigins`.
bool originAllowed(std::string_view origin, std::string_view hostHeader, const GatePolicy& policy);

// The media type of a Content-Type value, lower case, without parameters ("text/plain").
std::string mediaType(std::string_view contentType);

// Checks the head of `request` (method, target, Host, Origin, Sec-Fetch-*, Content-Type). True
// when it may go on to authentication and routing; false with `*refusal` otherwise. Pure.
bool admitRequest(const Request& request, const GatePolicy& policy, GateRefusal* refusal);

} // namespace wdh
