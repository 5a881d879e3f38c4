// The request a browser sends its HTTP proxy: CONNECT host:port, or an absolute-URI request.
#pragma once

#include "core/status.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wdh::proxy {

// One parsed proxy request head.
struct ProxyRequest {
  // Method token, as sent ("CONNECT", "GET", ...).
  std::string method;
  // Request target, as sent.
  std::string target;
  // "HTTP/1.0" or "HTTP/1.1".
  std::string version;
  // True for CONNECT (a tunnel).
  bool isConnect = false;
  // Target host, lower-cased (IPv6 without brackets).
  std::string host;
  // Target port (80 by default for http:// URIs).
  uint16_t port = 0;
  // Path and query in origin form ("/" at least); empty for CONNECT.
  std::string path;
  // Header fields in order, names as sent.
  std::vector<std::pair<std::string, std::string>> headers;
};

// Parses a head through its blank line; on failure `*httpStatus` is the status to answer (400/405).
Status parseProxyRequest(std::string_view head, ProxyRequest* out, int* httpStatus);

// "host:port" for a Host header or CONNECT line (IPv6 in brackets).
std::string authorityOf(const std::string& host, uint16_t port);

// The head for an origin server: origin-form target, Host from the URI, Connection: close.
std::string originFormHead(const ProxyRequest& request);

// The head for an HTTP upstream: absolute target kept, `proxyAuthorization` (if any) added.
std::string upstreamFormHead(const ProxyRequest& request, const std::string& proxyAuthorization);

} // namespace wdh::proxy
