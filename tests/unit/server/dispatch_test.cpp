// The request handler's one decision per request, with a session service that has no plugins
// (so nothing here starts a browser): what is answered at once, what becomes a job, the token
// checked once, and upgrades.
#include "plugin/plugin_registry.h"
#include "server/request_handler.h"
#include "session/session_map.h"

#include <doctest/doctest.h>

using namespace wdh;

namespace {

AccessSettings access(std::string client, std::string operatorToken = {}) {
  AccessSettings settings;
  settings.clientToken = std::move(client);
  settings.operatorToken = std::move(operatorToken);
  return settings;
}

// A handler over an empty registry, with the client token "secret" and the operator token "boss".
struct Handler {
  PluginRegistry registry;
  SessionMap sessions;
  SessionService service{registry, sessions, HostServices{}, SessionSettings{}};
  RequestHandler handler{service, access("secret", "boss")};

  // Feature routes as app/ registers them: drain for the operator, an API that takes ?key=.
  Handler() {
    FeatureHandler ok = [](const Request&, const RouteContext&, Reply* reply) {
      reply->status = 200;
    };
    handler.addRoute(FeatureRoute{
        "/wdhost/drain", false, {"POST"}, RouteAccess::Operator, false, true, ok, {}, {}});
    FeatureHandler refuse = [](const Request&, const RouteContext&, Reply* reply) {
      reply->status = 401;
      reply->body = "{\"error\":\"unauthorized\"}";
    };
    handler.addRoute(
        FeatureRoute{"/api/v1", false, {"POST"}, RouteAccess::Client, true, true, ok, refuse, {}});
  }

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
  // No Basic challenge: a browser would remember the token and send it for any page.
  for (const auto& [name, value] : reply.headers)
    CHECK(name != "WWW-Authenticate");
  Reply api;
  CHECK(h.dispatch("POST", "/api/v1", &api, nullptr, false) == Action::Answer);
  CHECK(api.status == 401);
  CHECK(api.body == "{\"error\":\"unauthorized\"}"); // the feature's own refusal
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
  h.handler.run(h.request, route, [&answered](Reply got) { answered = std::move(got); });
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

TEST_CASE("dispatch: feature routes, the longest path first, with their methods") {
  Handler h;
  std::string seen;
  h.handler.addRoute(FeatureRoute{"/ui",
                                  true,
                                  {"GET"},
                                  RouteAccess::OwnLogin,
                                  false,
                                  false,
                                  [&seen](const Request&, const RouteContext& context, Reply*) {
                                    seen = "ui " + std::string(context.suffix);
                                  },
                                  {},
                                  {}});
  h.handler.addRoute(FeatureRoute{"/ui/sessions",
                                  true,
                                  {"GET"},
                                  RouteAccess::OwnLogin,
                                  false,
                                  true,
                                  [](const Request&, const RouteContext&, Reply*) {},
                                  {},
                                  {}});
  Reply reply;
  Route route;
  // The page authenticates itself: no token needed to reach it.
  CHECK(h.dispatch("GET", "/ui/state", &reply, &route, false) == Action::Answer);
  CHECK(seen == "ui /state");
  CHECK(h.dispatch("GET", "/ui/sessions/x/screenshot", &reply, &route, false) == Action::Job);
  CHECK(route.suffix == "/x/screenshot");
  CHECK(h.dispatch("GET", "/uix", &reply, &route) == Action::Answer); // not under /ui
  CHECK(reply.status == 404);
  Reply wrongMethod;
  CHECK(h.dispatch("DELETE", "/ui", &wrongMethod, &route, false) == Action::Answer);
  CHECK(wrongMethod.status == 405);
}

TEST_CASE("dispatch: the operator token is needed to drain, the client token is not enough") {
  Handler h;
  Reply reply;
  CHECK(h.dispatch("POST", "/wdhost/drain", &reply) == Action::Answer);
  CHECK(reply.status == 403);
  CHECK(reply.body.find("--operator-token") != std::string::npos);
  CHECK_FALSE(h.service.lifecycle().draining());
  h.request = Request{};
  h.request.method = "POST";
  h.request.target = "/wdhost/drain";
  h.request.authorization = "Bearer boss";
  RelayedCommand command;
  Route route;
  Reply accepted;
  CHECK(h.handler.dispatch(h.request, &command, &route, &accepted) == Action::Job);
  // The operator may do what a client may.
  Reply status;
  h.request.method = "GET";
  h.request.target = "/status";
  CHECK(h.handler.dispatch(h.request, &command, &route, &status) == Action::Answer);
  CHECK(status.status == 200);
}

TEST_CASE("dispatch: web pages are refused before anything runs, on the head alone") {
  Handler h;
  Request page;
  page.method = "POST";
  page.target = "/session";
  page.authorization = "Bearer secret"; // a cached credential does not help a page
  page.origin = "http://attacker.example";
  page.contentType = "text/plain;charset=UTF-8";
  page.headComplete = true;
  page.contentLength = 1000; // the body has not arrived: it is never read
  Reply refused;
  CHECK_FALSE(h.handler.screen(page, &refused));
  CHECK(refused.status == 403);
  CHECK(refused.body.find("Origin") != std::string::npos);
  CHECK(refused.body.find("--allowed-origins") != std::string::npos);

  Request rebound = page;
  rebound.origin.clear();
  rebound.contentType = "application/json";
  rebound.host = "attacker.example:4444";
  Reply foreignHost;
  CHECK_FALSE(h.handler.screen(rebound, &foreignHost));
  CHECK(foreignHost.status == 403);
  CHECK(foreignHost.body.find("--allowed-hosts") != std::string::npos);

  Request form = page;
  form.origin.clear();
  form.contentType = "application/x-www-form-urlencoded";
  Reply refusedForm;
  CHECK_FALSE(h.handler.screen(form, &refusedForm));
  CHECK(refusedForm.status == 415);

  Request noToken;
  noToken.method = "POST";
  noToken.target = "/session";
  noToken.contentType = "application/json";
  noToken.headComplete = true;
  noToken.contentLength = 16 * 1024 * 1024;
  Reply unauthorized;
  CHECK_FALSE(h.handler.screen(noToken, &unauthorized));
  CHECK(unauthorized.status == 401);

  Request client = noToken;
  client.authorization = "Bearer secret";
  Reply none;
  CHECK(h.handler.screen(client, &none));
}
