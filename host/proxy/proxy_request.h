// The request a browser sends its HTTP proxy: CONNECT host:port, or an absolute-URI request.
#pragma once

#include "core/status.h"

#include <Poco/Net/HTTPRequest.h>
#include <cstdint>
#include <string>
#include <string_view>

namespace wdh::proxy {

// One parsed proxy request head.
struct ProxyRequest {
  // Method, target and version as sent, and the header fields in order (names as sent).
  Poco::Net::HTTPRequest head;
  // True for CONNECT (a tunnel).
  bool isConnect = false;
  // Target host, lower-cased (IPv6 without brackets).
  std::string host;
  // Target port (80 by default for http:// URIs).
  uint16_t port = 0;
  // Path and query in origin form ("/" at least); empty for CONNECT.
  std::string path;
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
