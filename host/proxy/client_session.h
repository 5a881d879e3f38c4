// One client connection of a forwarding proxy: one request or one tunnel, then it closes.
#pragma once

#include "proxy/upstream_proxy.h"

#include <Poco/Net/StreamSocket.h>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace wdh::proxy {

// What a client connection needs from its proxy; everything outlives the connection.
struct ProxyContext {
  // Where traffic goes.
  UpstreamProxy upstream;
  // Set when the proxy stops; every wait ends soon after.
  const std::atomic<bool>* stop = nullptr;
  // True when the (lower-cased) host may be reached.
  std::function<bool(const std::string& host)> allowed;
  // Counters: requests forwarded, refused by policy or form, failed upstream.
  std::atomic<uint64_t>* served = nullptr;
  std::atomic<uint64_t>* refused = nullptr;
  std::atomic<uint64_t>* failed = nullptr;
};

// Serves the client on `client` (non-blocking) until its request or tunnel ends. Never throws.
void serveClient(Poco::Net::StreamSocket client, const ProxyContext& context) noexcept;

// A complete HTTP/1.1 answer with a short text body and Connection: close.
std::string textResponse(int status, const std::string& body);

} // namespace wdh::proxy
