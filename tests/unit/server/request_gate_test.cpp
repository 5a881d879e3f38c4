// The request gate: which Host headers, Origins, Sec-Fetch-Site values and POST content types
// a request may carry, so that no web page can drive the host.
#include "server/request_gate.h"

#include <doctest/doctest.h>

using namespace wdh;

namespace {

Request make(const char* method, const char* target) {
  Request request;
  request.method = method;
  request.target = target;
  request.host = "127.0.0.1:4444";
  request.contentType = "application/json; charset=utf-8";
  return request;
}

int refusedWith(const Request& request, const GatePolicy& policy = {}) {
  GateRefusal refusal;
  return admitRequest(request, policy, &refusal) ? 0 : refusal.httpStatus;
}

} // namespace

TEST_CASE("gate: the Host header names an address, localhost or an allowed name") {
  GatePolicy policy;
  policy.allowedHosts = {"wdhost-node"};
  for (const char* host :
       {"", "127.0.0.1", "127.0.0.1:4444", "10.1.2.3:80", "[::1]:4444", "[::1]", "localhost",
        "LOCALHOST:4444", "app.localhost:9", "localhost.", "wdhost-node", "WDHost-Node:4444"})
    CHECK_MESSAGE(hostAllowed(host, policy), host);
  for (const char* host : {"attacker.example", "attacker.example:4444", "127.0.0.1.nip.io:4444",
                           "localhost.attacker.example", "::1", "[::1", "[::1]x",
                           "127.0.0.1:", "127.0.0.1:44a", "wdhost-node.evil", ":4444", "a:b:c"})
    CHECK_MESSAGE(!hostAllowed(host, policy), host);
  GatePolicy any;
  any.allowedHosts = {"*"};
  CHECK(hostAllowed("whatever.example", any));
}

TEST_CASE("gate: a page's Origin passes only when it is the host's own or allowed") {
  GatePolicy policy;
  policy.allowedOrigins = {"https://dashboard.example:8443"};
  CHECK(originAllowed("http://127.0.0.1:4444", "127.0.0.1:4444", policy));
  CHECK(originAllowed("https://dashboard.example:8443", "127.0.0.1:4444", policy));
  CHECK(originAllowed("HTTPS://Dashboard.Example:8443", "127.0.0.1:4444", policy));
  CHECK_FALSE(originAllowed("http://127.0.0.1:4445", "127.0.0.1:4444", policy));
  CHECK_FALSE(originAllowed("http://attacker.example", "127.0.0.1:4444", policy));
  CHECK_FALSE(originAllowed("null", "127.0.0.1:4444", policy));
  // Under rebinding the page's own origin matches a Host header the gate refuses anyway.
  CHECK_FALSE(originAllowed("http://attacker.example:4444", "attacker.example:4444", policy));
}

TEST_CASE("gate: WebDriver clients pass, pages, rebinding and simple POST bodies do not") {
  CHECK(refusedWith(make("POST", "/session")) == 0);
  Request bare = make("POST", "/session");
  bare.contentType.clear(); // a client that sends no Content-Type and no Origin
  CHECK(refusedWith(bare) == 0);

  Request rebound = make("GET", "/status");
  rebound.host = "attacker.example:4444";
  CHECK(refusedWith(rebound) == 403);

  Request fromPage = make("POST", "/session");
  fromPage.origin = "http://attacker.example";
  CHECK(refusedWith(fromPage) == 403);

  for (const char* type :
       {"text/plain", "text/plain;charset=UTF-8", "TEXT/PLAIN", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x"}) {
    Request simple = make("POST", "/session");
    simple.contentType = type;
    CHECK_MESSAGE(refusedWith(simple) == 415, type);
  }
  Request ownPage = make("POST", "/ui/sessions/x/end");
  ownPage.origin = "http://127.0.0.1:4444";
  ownPage.secFetchSite = "same-origin";
  CHECK(refusedWith(ownPage) == 0);
  ownPage.contentType.clear(); // a page must say it sends JSON
  CHECK(refusedWith(ownPage) == 415);

  // A no-cors GET (an image, a script) carries no Origin, but Sec-Fetch-Site gives it away.
  Request image = make("GET", "/session/x/screenshot");
  image.secFetchSite = "cross-site";
  CHECK(refusedWith(image) == 403);
  image.secFetchSite = "same-site"; // another port of this machine
  CHECK(refusedWith(image) == 403);
  image.secFetchSite = "none"; // typed into the address bar
  CHECK(refusedWith(image) == 0);

  // A person following a link to the status page sees it; the page's data stays closed.
  Request link = make("GET", "/ui");
  link.secFetchSite = "cross-site";
  link.secFetchMode = "navigate";
  CHECK(refusedWith(link) == 0);
  Request state = make("GET", "/ui/state");
  state.secFetchSite = "cross-site";
  state.secFetchMode = "navigate";
  CHECK(refusedWith(state) == 403);

  // A websocket upgrade from a page is refused like any request.
  Request upgrade = make("GET", "/session/x/se/cdp");
  upgrade.origin = "http://attacker.example";
  CHECK(refusedWith(upgrade) == 403);
}

TEST_CASE("gate: every refusal names the header and the option that would allow it") {
  GateRefusal refusal;
  Request rebound = make("GET", "/status");
  rebound.host = "evil\r\nX-Forged: 1";
  REQUIRE_FALSE(admitRequest(rebound, {}, &refusal));
  CHECK(refusal.status.message().find("Host") != std::string::npos);
  CHECK(refusal.status.message().find("--allowed-hosts") != std::string::npos);
  CHECK(refusal.status.message().find('\r') == std::string::npos);
  Request page = make("POST", "/session");
  page.origin = "http://attacker.example";
  REQUIRE_FALSE(admitRequest(page, {}, &refusal));
  CHECK(refusal.status.message().find("--allowed-origins") != std::string::npos);
  CHECK(refusal.status.code() == ErrorCode::InvalidArgument);
  CHECK(mediaType(" Application/JSON ; charset=utf-8") == "application/json");
}
