// A session's local forwarding proxy on 127.0.0.1: authenticates to the upstream for the browser
// and, with an allowlist, lets it reach only those domains.
#pragma once

#include "core/status.h"
#include "proxy/domain_match.h"
#include "proxy/target_policy.h"
#include "proxy/upstream_proxy.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace wdh {

// A local HTTP proxy (CONNECT and absolute-URI requests) forwarding through an upstream.
class ForwardingProxy {
public:
  // allowlist empty = allow all domains; `policy` holds every address it connects to (the
  // target when direct, a client's upstream otherwise). Starts nothing.
  ForwardingProxy(UpstreamProxy upstream, std::vector<std::string> allowlist, TargetPolicy policy);
  // stop()
  ~ForwardingProxy();
  ForwardingProxy(const ForwardingProxy&) = delete;
  ForwardingProxy& operator=(const ForwardingProxy&) = delete;

  // Who may use the proxy: called with each accepted client socket; a client it refuses gets
  // 407 and nothing reaches the upstream. Unset: everyone on loopback. Set before start().
  void setClientCheck(std::function<bool(int clientFd)> check);

  // Binds 127.0.0.1:0 and serves on its own threads; an error if already started.
  Status start();
  // The port the OS picked (after start(); 0 before).
  uint16_t port() const;
  // Thread-safe addition to the allowlist (no-op when the allowlist is empty).
  void allowHost(const std::string& host);
  // Thread-safe: whether `host` may be reached (always, without an allowlist).
  bool allows(const std::string& host) const;
  // Closes the listener and every open tunnel, joins threads; bounded. Safe to call twice.
  void stop();

  // Counters for tests and /status: requests served, refused, upstream failures.
  struct Stats {
    uint64_t served = 0, refused = 0, failed = 0;
  };
  // A snapshot of the counters (kept across stop() and start()).
  Stats stats() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace wdh
