// What an operator reaches: GET /metrics (Prometheus text) and the status page at /ui with its
// own endpoints (state, live view, end session, login).
#pragma once

#include "http/auth.h"
#include "metrics/host_metrics.h"
#include "server/exchange.h"
#include "ui/ui_logins.h"
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
  // `service` and `metrics` must outlive this. `credentials` tell who is a client and who the
  // operator; `secureCookie`: the page is reached over https (--public-url), so the login
  // cookie is marked Secure.
  OperatorEndpoints(SessionService& service, HostMetrics& metrics, Credentials credentials,
                    bool secureCookie = false);

  // Where the websocket figures come from (set before requests are served; may stay unset).
  void setWebSocketSources(std::function<std::size_t()> open, const WebSocketTraffic* traffic);

  // GET /metrics (the caller checked the token as for any endpoint).
  void metrics(Reply* reply) const;

  // Anything under /ui (`suffix` follows "/ui": "", "/state", "/login", "/logout",
  // "/sessions/{id}/screenshot", "/sessions/{id}/end"). Authenticates itself: a token as for
  // any endpoint, or the cookie a login sets (POST /ui/login {"token": ...}); a POST made with
  // the cookie also needs that login's CSRF token. Ending a session takes the operator's role.
  void ui(const Request& request, std::string_view suffix, Reply* reply) const;

private:
  // Who sent `request`: the role of its Authorization header or of its login cookie, and the
  // CSRF token its POSTs need ("" when it needs none: no cookie was used).
  Role roleOf(const Request& request, std::string* csrf) const;
  void page(Reply* reply, int status) const;
  void login(const Request& request, Reply* reply) const;
  void logout(const Request& request, Reply* reply) const;
  void state(Role role, const std::string& csrf, Reply* reply) const;
  void screenshot(std::string_view id, Reply* reply) const;
  void endSession(const Request& request, Role role, const std::string& csrf, std::string_view id,
                  Reply* reply) const;
  HostSnapshot snapshot() const;

  SessionService& service_;
  HostMetrics& metrics_;
  Credentials credentials_;
  bool secureCookie_;
  mutable UiLogins logins_;
  std::string openCsrf_; // the CSRF token when the host needs no login: random, per process
  std::chrono::steady_clock::time_point started_;
  std::function<std::size_t()> webSocketsOpen_;
  const WebSocketTraffic* traffic_ = nullptr;
};

} // namespace wdh
