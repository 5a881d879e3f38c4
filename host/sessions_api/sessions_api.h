// The JSON sessions command API (POST /api/v1 {"cmd": ...}): persistent sessions that
// clients of hosted scraping services know, served over the host's own sessions.
#pragma once

#include "proxy/target_policy.h"
#include "sessions_api/api_reply.h"
#include "sessions_api/session_networks.h"
#include "sessions_api/session_proxy.h"
#include "webdriver/session_service.h"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace wdh {

// Dispatches API commands; thread-safe.
class SessionsApi {
public:
  // `service` and `registry` must outlive the API; `pool` is the operator's proxy pool;
  // `policy` what the host and its sessions' browsers may connect to for API clients.
  SessionsApi(SessionService& service, const PluginRegistry& registry,
              std::vector<PooledProxy> pool, TargetPolicy policy);

  // Runs the command in `body`; `clientGone` is polled while a new session is queued and at
  // every step of a request;
  // `webSocketBase` ("ws://host:port") is where new sessions' websockets are reached;
  // `clientAddress` ("ip:port") who asks, shown on the status page.
  ApiReply handle(std::string_view body, const std::function<bool()>& clientGone,
                  std::string_view webSocketBase = {}, std::string_view clientAddress = {});

  // What must watch the session service's events (before it starts): a session that ends
  // drops its network, which holds proxy credentials.
  SessionEvents& sessionWatcher() { return networks_; }

private:
  ApiReply create(const rapidjson::Value& command, const std::function<bool()>& clientGone,
                  std::string_view webSocketBase, std::string_view clientAddress);
  ApiReply destroy(const rapidjson::Value& command);
  ApiReply list();
  ApiReply active(const rapidjson::Value& command);
  ApiReply request(const rapidjson::Value& command, const std::string& method,
                   const std::function<bool()>& clientGone, std::string_view webSocketBase,
                   std::string_view clientAddress);

  SessionService& service_;
  const PluginRegistry& registry_;
  std::vector<PooledProxy> pool_;
  TargetPolicy policy_;
  SessionNetworks networks_;
};

} // namespace wdh
