// The host's route table: which WebDriver endpoint a request is, before any handler runs.
#pragma once

#include "core/status.h"

#include <string_view>

namespace wdh {

// What the host does with a request.
enum class RouteKind {
  NewSession,     // POST /session
  DeleteSession,  // DELETE /session/{id}
  Status,         // GET /status
  SessionCommand, // anything else under /session/{id}/..., relayed to the session's backend
  WebSocket,      // GET /session/{id}/se/bidi or /se/cdp: a websocket relayed to the backend
  SessionFiles,   // POST /session/{id}/se/file, GET|POST|DELETE /session/{id}/se/files
  SessionEvent,   // POST /session/{id}/se/event: Grid's session event, answered by the host
  Feature,        // a route a feature registered (the status page, /metrics, drain, sessions API)
};

// Which of a session's websockets a WebSocket route is.
enum class SocketKind {
  Bidi, // WebDriver BiDi, relayed to the driver's own BiDi endpoint
  Cdp,  // Chrome DevTools Protocol, relayed to the browser's DevTools endpoint
};

struct FeatureRoute;

// A matched request.
struct Route {
  RouteKind kind = RouteKind::Status;
  std::string_view sessionId;           // for DeleteSession and SessionCommand
  std::string_view suffix;              // SessionCommand, SessionFiles: what follows /session/{id};
                                        // Feature: what follows the route's path
  SocketKind socket = SocketKind::Bidi; // for WebSocket
  const FeatureRoute* feature = nullptr; // for Feature: the route (owned by the handler)
};

// Matches `method` and `path` (no query string; an optional /wd/hub prefix is accepted).
// UnknownCommand for a path no endpoint has, UnknownMethod for a known endpoint path with
// another method. /session/{id}/se/bidi and /se/cdp are WebSocket; /se/file and /se/files are
// SessionFiles and /se/event SessionEvent, served by the host. Vendor paths under /session/{id}/
// are relayed as SessionCommand.
Status matchRoute(std::string_view method, std::string_view path, Route* out);

} // namespace wdh
