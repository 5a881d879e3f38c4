// The request handler's one decision per request, with a session service that has no plugins
// (so nothing here starts a browser): what is answered at once, what becomes a job, the token
// checked once, and upgrades.
#include "plugin/plugin_registry.h"
#include "server/request_handler.h"
#include "session/session_map.h"

#include <doctest/doctest.h>

using namespace wdh;

namespace {

// A handler over an empty registry, with the token "secret".
struct Handler {
  PluginRegistry registry;
  SessionMap sessions;
  SessionService service{registry, sessions, HostServices{}, SessionSettings{}};
  RequestHandler handler{service, nullptr, "secret"};

  Request request; // the last one dispatched: a Route keeps views into its target

  Action dispatch(const char* method, const char* target, Reply* reply, Route* route = nullptr,
                  bool withToken = true, bool upgrade = false) {
    request = Request{};
    request.method = method;
    request.target = target;
    if (withToken)
      request.authorization = "Bearer secret";
    request.upgrade.requested = upgrade;
    RelayedCommand command;
    Route ignored;
    return handler.dispatch(request, &command, route ? route : &ignored, reply);
  }
};

} // namespace

TEST_CASE("dispatch: status, metrics-less paths and unknown paths are answered at once") {
  Handler h;
  Reply reply;
  CHECK(h.dispatch("GET", "/status", &reply) == Action::Answer);
  CHECK(reply.status == 200);
  CHECK(reply.body.find("\"ready\"") != std::string::npos);
  Reply unknown;
  CHECK(h.dispatch("GET", "/nowhere", &unknown) == Action::Answer);
  CHECK(unknown.status == 404);
  CHECK(unknown.body.find("unknown command") != std::string::npos);
  Reply method;
  CHECK(h.dispatch("DELETE", "/status", &method) == Action::Answer);
  CHECK(method.status == 405);
  Reply metrics; // no operator endpoints were set
  CHECK(h.dispatch("GET", "/metrics", &metrics) == Action::Answer);
  CHECK(metrics.status == 404);
}

TEST_CASE("dispatch: the token is checked once, before anything runs") {
  Handler h;
  Reply reply;
  CHECK(h.dispatch("POST", "/session", &reply, nullptr, false) == Action::Answer);
  CHECK(reply.status == 401);
  CHECK(reply.wwwAuthenticate.find("Basic") != std::string::npos);
  Reply api;
  CHECK(h.dispatch("POST", "/api/v1", &api, nullptr, false) == Action::Answer);
  CHECK(api.status == 401);
  Reply keyed;
  CHECK(h.dispatch("POST", "/api/v1?key=secret", &keyed, nullptr, false) == Action::Job);
}

TEST_CASE("dispatch: what waits on a plugin or the queue is a job, with its route") {
  Handler h;
  Reply reply;
  Route route;
  CHECK(h.dispatch("POST", "/session", &reply, &route) == Action::Job);
  CHECK(route.kind == RouteKind::NewSession);
  CHECK(h.dispatch("DELETE", "/session/abc", &reply, &route) == Action::Job);
  CHECK(route.sessionId == "abc");
  // A command for a session that has no HTTP driver (or none at all) runs as a job.
  CHECK(h.dispatch("GET", "/session/abc/url", &reply, &route) == Action::Job);
  CHECK(route.kind == RouteKind::SessionCommand);
  CHECK(route.suffix == "/url");

  Reply answered;
  h.handler.run(h.request, route, &answered);
  CHECK(answered.status == 404);
  CHECK(answered.body.find("invalid session id") != std::string::npos);
}

TEST_CASE("dispatch: websocket upgrades are decided once, refused with W3C errors") {
  Handler h;
  Reply reply;
  Route route;
  CHECK(h.dispatch("GET", "/session/abc/se/bidi", &reply, &route, true, true) == Action::Upgrade);
  CHECK(route.kind == RouteKind::WebSocket);
  UpgradeTarget target;
  Reply refused;
  CHECK_FALSE(h.handler.beginUpgrade(h.request, route, &target, &refused));
  CHECK(refused.status == 404);
  Reply unauthorized;
  CHECK(h.dispatch("GET", "/session/abc/se/bidi", &unauthorized, nullptr, false, true) ==
        Action::Answer);
  CHECK(unauthorized.status == 401);
  Reply plain; // the websocket path without an upgrade
  CHECK(h.dispatch("GET", "/session/abc/se/cdp", &plain) == Action::Answer);
  CHECK(plain.status >= 400);
}
