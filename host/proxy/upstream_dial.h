// Opening connections to a target through the upstream: directly, HTTP CONNECT, SOCKS4a, SOCKS5.
#pragma once

#include "core/status.h"
#include "http/socket_io.h"
#include "proxy/upstream_proxy.h"

#include <Poco/Net/StreamSocket.h>
#include <cstdint>
#include <string>

namespace wdh::proxy {

// "Basic base64(user:password)" for an HTTP upstream; "" without credentials.
std::string basicProxyAuthorization(const UpstreamProxy& upstream);

// A non-blocking TCP connection to host:port (resolving the name here).
Status dialTcp(const std::string& host, uint16_t port, const IoBounds& bounds,
               Poco::Net::StreamSocket* out);

// A byte stream to host:port through `upstream` (direct for Kind::None); bytes the upstream
// sent after its handshake go to `*early`. Timeout statuses mean the upstream was too slow.
Status openTunnel(const UpstreamProxy& upstream, const std::string& host, uint16_t port,
                  const IoBounds& bounds, Poco::Net::StreamSocket* out, std::string* early);

} // namespace wdh::proxy
