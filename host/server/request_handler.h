// One WebDriver request: authenticate, route, run it, and say what to answer.
#pragma once

#include "http/websocket.h"
#include "server/exchange.h"
#include "server/operator_endpoints.h"
#include "sessions_api/sessions_api.h"
#include "webdriver/session_service.h"

#include <string>

namespace wdh {

// Where an accepted websocket upgrade is relayed to.
struct UpgradeTarget {
  std::weak_ptr<Session> session; // whose idle timer the traffic re-arms
  std::string sessionId;          // the host's id of that session
  std::string url;                // the ws:// endpoint to dial upstream
};

// Handles every request the server reads; thread-safe (called from every worker at once).
class RequestHandler {
public:
  // `authToken` empty: no authentication. `api` may be null (no sessions API).
  // `service` and `api` must outlive the handler.
  // `publicUrl` (may be empty) is --public-url.
  RequestHandler(SessionService& service, SessionsApi* api, std::string authToken,
                 std::string publicUrl = {})
      : service_(service), api_(api), authToken_(std::move(authToken)),
        publicUrl_(std::move(publicUrl)) {}

  // Sets the "host:port" the server is bound to (the websocket base when nothing better is
  // known); before requests are served.
  void setBoundAuthority(std::string authority) { boundAuthority_ = std::move(authority); }

  // Serves /metrics and /ui from `endpoints` (null: those paths are unknown); set before
  // requests are served.
  void setOperatorEndpoints(const OperatorEndpoints* endpoints) { operator_ = endpoints; }

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

  // Decides a websocket upgrade: true with `*target` when the client may be relayed to one of a
  // session's websockets; false with `*reply` filled otherwise (401 without the token, 404 for
  // an unknown session or a path with no websocket, 400 for a malformed upgrade). May wait
  // briefly for the browser's DevTools endpoint (CDP).
  bool beginUpgrade(const Request& request, const WebSocketUpgrade& upgrade, UpgradeTarget* target,
                    Reply* reply) const;

private:
  void route(Request& request, Reply* reply) const;
  bool authorized(const Request& request, Reply* reply) const;
  static void relayedReply(const Status& status, RelayResponse&& response, Reply* reply);

  SessionService& service_;
  SessionsApi* api_;
  std::string authToken_;
  std::string publicUrl_;
  std::string boundAuthority_ = "127.0.0.1";
  const OperatorEndpoints* operator_ = nullptr;
};

} // namespace wdh
