// The proxy side of sessions.create: every session's browser gets a private forwarding proxy on
// loopback, which connects directly (holding every address to the host's target policy) or
// through the session's upstream (authenticating for the browser), and keeps its allowlist.
#pragma once

#include "core/status.h"
#include "proxy/target_policy.h"
#include "proxy/upstream_proxy.h"
#include "sessions_api/create_plan.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace wdh {

class ForwardingProxy;

// A proxy from the operator's pool (--proxy-pool FILE: "KIND URL" lines, '#' comments).
struct PooledProxy {
  std::string kind; // "datacenter", "residential", ...
  std::string url;  // http://user:pass@host:port, socks5://...
};

// Reads a pool file; InvalidArgument naming the line that is wrong.
Status loadProxyPool(const std::string& path, std::vector<PooledProxy>* out);

// How a session reaches the network.
struct SessionNetwork {
  std::string proxyCapability;            // W3C "proxy" object text: the forwarding proxy
  std::shared_ptr<ForwardingProxy> local; // the session's forwarding proxy
  UpstreamProxy upstream;                 // where its traffic leaves (Kind::None = directly)
};

// Decides and starts what `plan` needs: the datacenter proxy picked from `pool` (the operator's,
// so not held to `policy`) or the client's upstream, and the forwarding proxy every browser of
// the sessions API goes through, with `policy` on what it connects to. `onlyFor` says whether
// an accepted client socket is the session's browser; everyone else is refused by the proxy.
// InvalidArgument (naming the address) when `policy` refuses the client's upstream.
Status prepareNetwork(const CreatePlan& plan, const std::vector<PooledProxy>& pool,
                      const TargetPolicy& policy, std::function<bool(int clientFd)> onlyFor,
                      SessionNetwork* out);

} // namespace wdh
