// The network each sessions-API session reaches the web through (its forwarding proxy, whose
// allowlist grows with the URLs the client asks for, and its upstream proxy), for what the host
// sends on the session's behalf. A session's entry, which holds proxy credentials, goes as soon
// as the session ends: this watches the session service's end events.
#pragma once

#include "proxy/forwarding_proxy.h"
#include "proxy/upstream_proxy.h"
#include "session/session_events.h"

#include <map>
#include <memory>
#include <mutex>
#include <rapidjson/document.h>
#include <string>

namespace wdh {

// Thread-safe.
class SessionNetworks : public SessionEvents {
public:
  // How one session reaches the network.
  struct Route {
    std::weak_ptr<ForwardingProxy> local; // its forwarding proxy (allowlist), if any
    UpstreamProxy upstream;               // its upstream proxy, if any
  };

  // Keeps `route` for session `id`.
  void add(const std::string& id, Route route);
  // Session `id`'s route (a copy; empty when it has neither proxy, or is unknown).
  Route routeOf(const std::string& id) const;
  // Lets session `id`'s forwarding proxy reach the host of `url` (no-op without an allowlist).
  void allowNavigation(const std::string& id, const std::string& url);
  // allowNavigation() for every "goto" URL among `actions` (nested ones too).
  void allowActionNavigation(const std::string& id, const rapidjson::Value& actions);
  // Forgets session `id`.
  void forget(const std::string& id);
  // Sessions known.
  std::size_t size() const;

  // SessionEvents: a session that ends is forgotten.
  void sessionEnding(const std::string& id, std::uint16_t closeCode,
                     const std::string& why) override;

private:
  mutable std::mutex mutex_;
  std::map<std::string, Route> routes_; // by session id
};

} // namespace wdh
