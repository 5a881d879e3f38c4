// Opening connections to a target through the upstream: directly, HTTP CONNECT, SOCKS4a, SOCKS5.
#pragma once

#include "core/status.h"
#include "http/socket_io.h"
#include "proxy/target_policy.h"
#include "proxy/upstream_proxy.h"

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <cstdint>
#include <string>
#include <vector>

namespace wdh::proxy {

// "Basic base64(user:password)" for an HTTP upstream; "" without credentials.
std::string basicProxyAuthorization(const UpstreamProxy& upstream);

// The addresses host:port resolves to that `policy` allows, in the resolver's order.
// InvalidArgument (the policy's reason, naming the address) when it allows none of them;
// UnknownError when the name does not resolve.
Status resolveAllowed(const std::string& host, uint16_t port, const TargetPolicy& policy,
                      std::vector<Poco::Net::SocketAddress>* out);

// A non-blocking TCP connection to host:port: the name is resolved here and only the addresses
// `policy` allows are tried, in order, so the address connected is the one checked.
// InvalidArgument (the policy's reason) when it allows none of them.
Status dialTcp(const std::string& host, uint16_t port, const TargetPolicy& policy,
               const IoBounds& bounds, Poco::Net::StreamSocket* out);

// A byte stream to host:port through `upstream` (direct for Kind::None); bytes the upstream
// sent after its handshake go to `*early`. `policy` holds the target when direct, and the
// upstream's own address unless the operator chose it (UpstreamProxy::operatorChosen); what
// an upstream connects to is its own network. InvalidArgument only when the policy refused;
// Timeout statuses mean the upstream was too slow.
Status openTunnel(const UpstreamProxy& upstream, const std::string& host, uint16_t port,
                  const TargetPolicy& policy, const IoBounds& bounds, Poco::Net::StreamSocket* out,
                  std::string* early);

// The policy for dialing `upstream` itself: open for the operator's own, else `policy`.
const TargetPolicy& upstreamPolicy(const UpstreamProxy& upstream, const TargetPolicy& policy);

} // namespace wdh::proxy
