// One WebDriver request: authenticate, route, run it, and say what to answer.
#pragma once

#include "http/websocket.h"
#include "server/exchange.h"
#include "server/operator_endpoints.h"
#include "server/routes.h"
#include "sessions_api/sessions_api.h"
#include "webdriver/session_service.h"

#include <string>

namespace wdh {

// What the transport does with a request (RequestHandler::dispatch).
enum class Action {
  Answer,  // the reply is ready
  Relay,   // a command to relay to the session's driver without a waiting thread
  Job,     // run() it where blocking is allowed
  Upgrade, // a websocket upgrade: beginUpgrade()
};

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

  // Decides, once, what the transport does with `request` (routing it and checking the token
  // once): Answer (`reply` is filled; nothing waited on), Relay (`*command` is begun: relay it,
  // then finishRelay()), Job (call run() on a thread that may block: it waits on a plugin, a
  // browser or the queue) or Upgrade (call beginUpgrade()). `*route` keeps views into
  // request.target. Never throws.
  Action dispatch(const Request& request, RelayedCommand* command, Route* route,
                  Reply* reply) const;

  // Runs a request dispatch() answered Job for, with its `route`, and fills `reply`. Never
  // throws: every failure becomes a W3C error reply.
  void run(const Request& request, const Route& route, Reply* reply) const;

  // Fills `reply` for a command begun by dispatch() (Relay); `status` and `response` are what
  // its upstream gave, `body` what the client sent.
  void finishRelay(RelayedCommand& command, const std::string& body, Status status,
                   RelayResponse&& response, Reply* reply) const;

  // Decides a websocket upgrade dispatch() answered Upgrade for: true with `*target` when the
  // client may be relayed to one of a session's websockets; false with `*reply` filled
  // otherwise (404 for an unknown session or a path with no websocket, 400 for a malformed
  // upgrade). May wait briefly for the browser's DevTools endpoint (CDP).
  bool beginUpgrade(const Request& request, const Route& route, UpgradeTarget* target,
                    Reply* reply) const;

private:
  void runRoute(const Request& request, const Route& route, Reply* reply) const;
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
