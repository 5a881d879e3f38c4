// The proxy side of sessions.create: an upstream with credentials or a domain allowlist gets
// a private forwarding proxy on loopback; a plain upstream goes to the browser as is.
#pragma once

#include "core/status.h"
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
  std::string proxyCapability;            // W3C "proxy" object text, or "" for none
  std::shared_ptr<ForwardingProxy> local; // the session's forwarding proxy, if any
  UpstreamProxy upstream;                 // where its traffic leaves (Kind::None = directly)
};

// Decides and starts what `plan` needs: the datacenter proxy picked from `pool`, the
// forwarding proxy for credentials or an allowlist, or the upstream given to the browser.
// `onlyFor` says whether an accepted client socket is the session's browser; everyone else
// is refused by the forwarding proxy.
Status prepareNetwork(const CreatePlan& plan, const std::vector<PooledProxy>& pool,
                      std::function<bool(int clientFd)> onlyFor, SessionNetwork* out);

} // namespace wdh
