// One WebDriver request: screen it, route it, run it, and say what to answer.
#pragma once

#include "http/auth.h"
#include "http/exchange.h"
#include "http/websocket.h"
#include "server/feature_routes.h"
#include "server/request_gate.h"
#include "server/routes.h"
#include "webdriver/session_service.h"

#include <functional>
#include <string>

namespace wdh {

// What the transport does with a request (RequestHandler::dispatch).
enum class Action {
  Answer,  // the reply is ready
  Relay,   // a command to relay to the session's driver without a waiting thread
  Job,     // run() it on the job executor: it may wait on a plugin, a browser or the queue
  Upgrade, // a websocket upgrade: beginUpgrade() on the job executor
};

// Where an accepted websocket upgrade is relayed to.
struct UpgradeTarget {
  std::weak_ptr<Session> session; // whose idle timer the traffic re-arms
  std::string sessionId;          // the host's id of that session
  std::string url;                // the ws:// endpoint to dial upstream
  UniqueFd local; // or a stream the host serves itself (a feature's websocket), already open
  std::unique_ptr<WebSocketTap> tap; // follows the messages (a traced session's BiDi), or null
};

// Who may use the host, and the address it is reached at.
struct AccessSettings {
  std::string clientToken;   // clients send it; empty = no authentication
  std::string operatorToken; // drain, /metrics, ending sessions from /ui; empty = clientToken
  GatePolicy gate;           // what the Host, Origin and Sec-Fetch-Site checks let through
  std::string publicUrl;     // --public-url; may be empty
};

// Takes a job's reply: called exactly once, on any thread, possibly after run() returned.
using ReplySink = std::function<void(Reply reply)>;

// Handles every request the server reads; thread-safe (called from every worker at once).
class RequestHandler {
public:
  // `service` must outlive the handler.
  RequestHandler(SessionService& service, AccessSettings access);

  // Sets the "host:port" the server is bound to (the websocket base when nothing better is
  // known); before requests are served.
  void setBoundAuthority(std::string authority) { boundAuthority_ = std::move(authority); }

  // Serves `route` too (matched before the W3C endpoints; the longest path wins); before
  // requests are served.
  void addRoute(FeatureRoute route) { features_.push_back(std::move(route)); }

  // Decides on the head of `request` alone (its body may still be on its way) whether it may be
  // read at all: the gate (Host, Origin, Sec-Fetch-Site, Content-Type), the token its route
  // needs, and the body size its route takes. False with `*reply` filled (401, 403, 413, 415)
  // otherwise. Never throws.
  bool screen(const Request& request, Reply* reply) const;

  // Decides, once, what the transport does with `request`: screen() it, route it, then Answer
  // (`reply` is filled; nothing waited on), Relay (`*command` is begun: relay it, then
  // finishRelay()), Job (call run() on the job executor) or Upgrade (call beginUpgrade() there).
  // `*route` keeps views into request.target. Never throws.
  Action dispatch(const Request& request, RelayedCommand* command, Route* route,
                  Reply* reply) const;

  // Matches the route of `request` again (for a job that outlived the dispatching worker's
  // views); false when it has none.
  bool routeOf(const Request& request, Route* route) const;

  // Runs a request dispatch() answered Job for, with its `route`, and hands the reply to
  // `deliver`: before returning, or later for a New Session that waits in the queue (which
  // holds no thread meanwhile). Never throws: every failure becomes a W3C error reply.
  void run(const Request& request, const Route& route, ReplySink deliver) const;

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
  // Matches `path` (no query) to a feature route (the longest); null when none. `*suffix` is
  // what follows the route's path.
  const FeatureRoute* matchFeature(std::string_view path, std::string_view* suffix) const;
  Status matchAny(const Request& request, Route* route) const;
  void runFeature(const Request& request, const Route& route, Reply* reply) const;
  void runRoute(const Request& request, const Route& route, Reply* reply) const;
  void startNewSession(const Request& request, ReplySink deliver) const;
  bool authorized(const Request& request, const FeatureRoute* feature, Reply* reply) const;
  static void relayedReply(const Status& status, RelayResponse&& response, Reply* reply);

  SessionService& service_;
  Credentials credentials_;
  AccessSettings access_;
  std::string boundAuthority_ = "127.0.0.1";
  std::vector<FeatureRoute> features_;
};

} // namespace wdh
