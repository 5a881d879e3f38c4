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

  // True when handle() answers `request` without waiting on a browser, a plugin or a queue.
  bool answersAtOnce(const Request& request) const;

  // When `request` is an authorized command for a session whose driver is reached over HTTP,
  // begins it as `*command` and returns true: the caller relays it, then calls
  // finishRelay(). False: handle() answers the request.
  bool beginRelay(const Request& request, RelayedCommand* command) const;
  // Fills `reply` for a command begun with beginRelay(); `status` and `response` are what its
  // upstream gave, `body` what the client sent.
  void finishRelay(RelayedCommand& command, const std::string& body, Status status,
                   RelayResponse&& response, Reply* reply) const;

private:
  void route(Request& request, Reply* reply) const;
  static void relayedReply(const Status& status, RelayResponse&& response, Reply* reply);

  SessionService& service_;
  SessionsApi* api_;
  std::string authToken_;
};

} // namespace wdh
