// One client connection of a forwarding proxy: one request or one tunnel, then it closes.
#pragma once

#include "proxy/pump_loop.h"
#include "proxy/target_policy.h"
#include "proxy/upstream_proxy.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace wdh::proxy {

// What a client connection needs from its proxy; everything outlives the connection.
struct ProxyContext {
  // Where traffic goes.
  UpstreamProxy upstream;
  // The addresses that may be connected to (targets when direct, else a client's upstream).
  TargetPolicy policy;
  // An eventfd that becomes readable when the proxy stops; every wait ends at once then.
  int stopFd = -1;
  // True when the (lower-cased) host may be reached.
  std::function<bool(const std::string& host)> allowed;
  // Where a connection's bytes go once its handshake is done (the proxy's pump loop).
  PumpLoop* pumps = nullptr;
  // Counters: requests forwarded, refused by policy or form, failed upstream.
  std::atomic<uint64_t> served{0}, refused{0}, failed{0};
};

// Serves the handshake of the client on non-blocking `clientFd` (which the caller owns and
// closes): reads its request, checks it, reaches the target, then hands both sockets (copies of
// their descriptors) to the pump loop, which moves the request's or tunnel's bytes. Throws only
// what allocation throws.
void serveClient(int clientFd, ProxyContext& context);

// A complete HTTP/1.1 answer with a short text body, `extraFields` ("Name: value\r\n" lines)
// and Connection: close.
std::string textResponse(int status, const std::string& body, const std::string& extraFields = "");

} // namespace wdh::proxy
