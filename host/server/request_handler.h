// One WebDriver request: authenticate, route, run it, and say what to answer.
#pragma once

#include "server/exchange.h"
#include "sessions_api/sessions_api.h"
#include "webdriver/session_service.h"

#include <string>

namespace wdh {

// Handles every request the server reads; thread-safe (called from every worker at once).
class RequestHandler {
public:
  // `authToken` empty: no authentication. `api` may be null (no sessions API).
  // `service` and `api` must outlive the handler.
  RequestHandler(SessionService& service, SessionsApi* api, std::string authToken)
      : service_(service), api_(api), authToken_(std::move(authToken)) {}

  // Runs `request` and fills `reply`. Never throws: every failure becomes a W3C error reply.
  void handle(Request& request, Reply* reply) const;

private:
  void route(Request& request, Reply* reply) const;

  SessionService& service_;
  SessionsApi* api_;
  std::string authToken_;
};

} // namespace wdh
