#include "server/routes.h"

#include <doctest/doctest.h>

using namespace wdh;

TEST_CASE("routes: the host's own endpoints") {
  Route route;
  REQUIRE(matchRoute("POST", "/session", &route).isOk());
  CHECK(route.kind == RouteKind::NewSession);
  REQUIRE(matchRoute("GET", "/status", &route).isOk());
  CHECK(route.kind == RouteKind::Status);
  REQUIRE(matchRoute("DELETE", "/session/abc", &route).isOk());
  CHECK(route.kind == RouteKind::DeleteSession);
  CHECK(route.sessionId == "abc");
}

TEST_CASE("routes: session commands keep their suffix for the relay") {
  Route route;
  REQUIRE(matchRoute("GET", "/session/s1/url", &route).isOk());
  CHECK(route.kind == RouteKind::SessionCommand);
  CHECK(route.sessionId == "s1");
  CHECK(route.suffix == "/url");
  REQUIRE(matchRoute("POST", "/session/s1/element/e-9/click", &route).isOk());
  CHECK(route.suffix == "/element/e-9/click");
  // Vendor extensions are relayed too.
  REQUIRE(matchRoute("POST", "/session/s1/goog/cdp/execute", &route).isOk());
  CHECK(route.kind == RouteKind::SessionCommand);
}

TEST_CASE("routes: the legacy /wd/hub prefix is accepted") {
  Route route;
  REQUIRE(matchRoute("POST", "/wd/hub/session", &route).isOk());
  CHECK(route.kind == RouteKind::NewSession);
  REQUIRE(matchRoute("GET", "/wd/hub/session/x/title", &route).isOk());
  CHECK(route.suffix == "/title");
}

TEST_CASE("routes: unknown paths are unknown command, wrong methods unknown method") {
  Route route;
  CHECK(matchRoute("GET", "/nope", &route).code() == ErrorCode::UnknownCommand);
  CHECK(matchRoute("GET", "/", &route).code() == ErrorCode::UnknownCommand);
  CHECK(matchRoute("GET", "/session//url", &route).code() == ErrorCode::UnknownCommand);
  CHECK(matchRoute("GET", "/wd/hubx/status", &route).code() == ErrorCode::UnknownCommand);
  Status wrong = matchRoute("GET", "/session", &route);
  CHECK(wrong.code() == ErrorCode::UnknownMethod);
  CHECK(wrong.message().find("POST") != std::string::npos);
  CHECK(matchRoute("POST", "/status", &route).code() == ErrorCode::UnknownMethod);
  CHECK(matchRoute("GET", "/session/abc", &route).code() == ErrorCode::UnknownMethod);
  Status title = matchRoute("POST", "/session/abc/title", &route);
  CHECK(title.code() == ErrorCode::UnknownMethod);
  CHECK(title.message().find("GET") != std::string::npos);
  CHECK(matchRoute("PUT", "/session/abc/url", &route).code() == ErrorCode::UnknownMethod);
}

TEST_CASE("routes: Grid's managed files and the drain are the host's own") {
  Route route;
  REQUIRE(matchRoute("POST", "/session/s1/se/file", &route).isOk());
  CHECK(route.kind == RouteKind::SessionFiles);
  CHECK(route.suffix == "/se/file");
  for (const char* method : {"GET", "POST", "DELETE"}) {
    REQUIRE(matchRoute(method, "/session/s1/se/files", &route).isOk());
    CHECK(route.kind == RouteKind::SessionFiles);
    CHECK(route.suffix == "/se/files");
  }
  CHECK(matchRoute("GET", "/session/s1/se/file", &route).code() == ErrorCode::UnknownMethod);
  CHECK(matchRoute("PUT", "/session/s1/se/files", &route).code() == ErrorCode::UnknownMethod);
  // Grid's session event is answered by the host, never relayed to a driver.
  REQUIRE(matchRoute("POST", "/session/s1/se/event", &route).isOk());
  CHECK(route.kind == RouteKind::SessionEvent);
  CHECK(route.sessionId == "s1");
  CHECK(matchRoute("GET", "/session/s1/se/event", &route).code() == ErrorCode::UnknownMethod);
  // The host's own features (drain, /metrics, /ui, the sessions API) are not WebDriver's: app/
  // registers them on the request handler (tests/unit/server/dispatch_test.cpp).
  CHECK(matchRoute("POST", "/wdhost/drain", &route).code() == ErrorCode::UnknownCommand);
  CHECK(matchRoute("GET", "/metrics", &route).code() == ErrorCode::UnknownCommand);
}
