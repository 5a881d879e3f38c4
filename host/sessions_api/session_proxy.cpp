#include "sessions_api/session_proxy.h"

#include "core/uuid.h"
#include "proxy/forwarding_proxy.h"
#include "proxy/upstream_dial.h"
#include "proxy/upstream_proxy.h"

#include "json/json.h"
#include <fstream>

namespace wdh {
namespace {

// The W3C proxy capability that sends all traffic to `address` (host:port) over HTTP.
std::string httpProxyCapability(const std::string& address) {
  return R"({"proxyType":"manual","httpProxy":)" + quoteJson(address) + R"(,"sslProxy":)" +
         quoteJson(address) + "}";
}

} // namespace

Status loadProxyPool(const std::string& path, std::vector<PooledProxy>* out) {
  std::ifstream in(path);
  if (!in)
    return Status(ErrorCode::InvalidArgument, "cannot read the proxy pool " + path);
  std::string line;
  for (int number = 1; std::getline(in, line) && number <= 100000; ++number) {
    std::size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#')
      continue;
    std::size_t space = line.find_first_of(" \t", start);
    std::size_t urlStart =
        space == std::string::npos ? space : line.find_first_not_of(" \t", space);
    UpstreamProxy parsed;
    std::string url = urlStart == std::string::npos ? "" : line.substr(urlStart);
    while (!url.empty() && (url.back() == ' ' || url.back() == '\t' || url.back() == '\r'))
      url.pop_back();
    if (urlStart == std::string::npos || !parseUpstreamProxy(url, &parsed).isOk())
      return Status(ErrorCode::InvalidArgument,
                    path + ":" + std::to_string(number) +
                        ": expected \"KIND URL\", e.g. \"datacenter http://user:pass@host:3128\"");
    out->push_back(PooledProxy{line.substr(start, space - start), url});
  }
  return Status::ok();
}

Status prepareNetwork(const CreatePlan& plan, const std::vector<PooledProxy>& pool,
                      const TargetPolicy& policy, std::function<bool(int clientFd)> onlyFor,
                      SessionNetwork* out) {
  std::string url = plan.proxy;
  if (plan.datacenter) {
    std::vector<const PooledProxy*> candidates;
    for (const PooledProxy& proxy : pool)
      if (proxy.kind == "datacenter")
        candidates.push_back(&proxy);
    if (candidates.empty())
      return Status(ErrorCode::InvalidArgument,
                    "datacenter was asked for but this host has no datacenter proxy; the operator "
                    "lists them in --proxy-pool FILE as \"datacenter URL\" lines");
    unsigned pick = 0;
    secureRandom(&pick, sizeof pick);
    url = candidates[pick % candidates.size()]->url;
  }
  UpstreamProxy upstream;
  if (!url.empty()) {
    Status status = parseUpstreamProxy(url, &upstream);
    if (!status.isOk())
      return status;
    upstream.operatorChosen = plan.datacenter;
  }
  if (upstream.kind != UpstreamProxy::Kind::None && !upstream.operatorChosen) {
    // A client's upstream is dialed under the policy: say so now rather than on every page.
    std::vector<Poco::Net::SocketAddress> reachable;
    Status allowed = proxy::resolveAllowed(upstream.host, upstream.port, policy, &reachable);
    if (allowed.code() == ErrorCode::InvalidArgument)
      return allowed.withContext("proxy");
  }
  out->upstream = upstream;
  // Always a forwarding proxy, also without an upstream: the browser then reaches nothing the
  // policy refuses (and the browsers are told not to bypass it for loopback).
  auto local = std::make_shared<ForwardingProxy>(upstream, plan.whitelist, policy);
  local->setClientCheck(std::move(onlyFor));
  Status status = local->start();
  if (!status.isOk())
    return status;
  out->proxyCapability = httpProxyCapability("127.0.0.1:" + std::to_string(local->port()));
  out->local = std::move(local);
  return Status::ok();
}

} // namespace wdh
