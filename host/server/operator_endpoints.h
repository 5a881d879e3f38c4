// What an operator reaches: GET /metrics (Prometheus text) and the status page at /ui with its
// own endpoints (state, live view, end session, login).
#pragma once

#include "metrics/host_metrics.h"
#include "server/exchange.h"
#include "webdriver/session_service.h"

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

namespace wdh {

struct WebSocketTraffic;

// Serves /metrics and /ui; thread-safe.
class OperatorEndpoints {
public:
  // `service` and `metrics` must outlive this; `authToken` empty means no authentication.
  OperatorEndpoints(SessionService& service, HostMetrics& metrics, std::string authToken);

  // Where the websocket figures come from (set before requests are served; may stay unset).
  void setWebSocketSources(std::function<std::size_t()> open, const WebSocketTraffic* traffic);

  // GET /metrics (the caller checked the token as for any endpoint).
  void metrics(Reply* reply) const;

  // Anything under /ui (`suffix` follows "/ui": "", "/state", "/login",
  // "/sessions/{id}/screenshot", "/sessions/{id}/end"). Authenticates itself: the token as for
  // any endpoint, or the cookie the login form sets; POSTs also need the page's CSRF token.
  void ui(const Request& request, std::string_view suffix, Reply* reply) const;

private:
  bool viewerAuthorized(const Request& request) const;
  void page(Reply* reply, int status) const;
  void login(const Request& request, Reply* reply) const;
  void state(Reply* reply) const;
  void screenshot(std::string_view id, Reply* reply) const;
  void endSession(const Request& request, std::string_view id, Reply* reply) const;
  MetricsSnapshot snapshot() const;

  SessionService& service_;
  HostMetrics& metrics_;
  std::string authToken_;
  std::string cookieValue_; // the login cookie's value: random, for this process only
  std::string csrf_;        // what the page sends back on POST: random, for this process only
  std::chrono::steady_clock::time_point started_;
  std::function<std::size_t()> webSocketsOpen_;
  const WebSocketTraffic* traffic_ = nullptr;
};

} // namespace wdh
