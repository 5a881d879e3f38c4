// Routes a feature adds to the host beside WebDriver's own (the status page, /metrics, drain,
// the sessions API): registered from app/, so that server/ routes and transports without knowing
// any feature. The request handler matches them before the W3C endpoints.
#pragma once

#include "core/status.h"
#include "http/exchange.h"
#include "process/unique_fd.h"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace wdh {

// Who may use a feature route.
enum class RouteAccess {
  Client,   // the client token (or the operator's)
  Operator, // the operator token only
  OwnLogin, // anyone past the request gate: the feature authenticates itself (the status page);
            // what it reads before that stays small (4 KiB of body at most)
};

// What a feature's handler is told beside the request.
struct RouteContext {
  std::string_view suffix;   // what follows the route's path ("/state" for /ui/state)
  std::string webSocketBase; // "ws://host:port" the client reaches this host's websockets at
  std::string clientAddress; // the client's "ip:port" ("" when unknown)
};

// Answers one request of a feature route by filling `reply`; runs on a job thread when its route
// may block. An exception it lets out becomes a W3C "unknown error".
using FeatureHandler = std::function<void(const Request&, const RouteContext&, Reply*)>;

// Serves a websocket of a feature route itself: Ok with *socket one end of a connected stream
// (a socket pair) on which the feature writes server frames and reads the client's; the server
// relays it like a driver's websocket. Runs on a job thread.
using WebSocketFeed = std::function<Status(const Request&, const RouteContext&, UniqueFd* socket)>;

// One feature route.
struct FeatureRoute {
  std::string path;                 // "/metrics"; with `prefix`, "/ui" matches /ui and /ui/...
  bool prefix = false;              // match the path and everything below it
  std::vector<std::string> methods; // the methods it takes; others get "unknown method"
  RouteAccess access = RouteAccess::Client;
  bool tokenInQuery = false;   // also take the client token as ?key=TOKEN (the sessions API)
  bool blocking = false;       // may wait (a browser, a plugin): run on the job executor
  FeatureHandler handler;      // answers a request
  FeatureHandler unauthorized; // answers a request without the token (empty: W3C 401)
  WebSocketFeed websocket;     // answers a websocket upgrade (empty: the route has none)
};

} // namespace wdh
