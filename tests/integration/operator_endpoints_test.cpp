// /metrics and the status page's endpoints through the real binary with the fake plugin: the
// token rule, the login cookie and the CSRF check.
#include "support/fake_host.h"
#include "support/host_process.h"

#include <doctest/doctest.h>

using namespace wdhtest;

namespace {

const char* kFake = kFakeNewSession;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The first header `name` in a raw HTTP answer, or "".
std::string header(const std::string& answer, const std::string& name) {
  std::size_t at = answer.find("\r\n" + name + ": ");
  if (at == std::string::npos)
    return "";
  at += name.size() + 4;
  return answer.substr(at, answer.find("\r\n", at) - at);
}

std::string request(int port, const std::string& head, const std::string& body = "") {
  return rawExchange(port, head +
                               "Host: 127.0.0.1\r\nContent-Length: " + std::to_string(body.size()) +
                               "\r\nConnection: close\r\n\r\n" + body);
}

} // namespace

TEST_CASE("operators: /metrics and /ui/state follow the token rule") {
  HostProcess host(WDHOST_BINARY, {"--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin", "fake",
                                   "--auth-token", "t0ken"});
  CHECK(httpRequest(host.port(), "GET", "/metrics").status == 401);
  CHECK(httpRequest(host.port(), "GET", "/ui/state").status == 401);
  // The page itself loads (it shows the login form), with a strict policy.
  std::string page = request(host.port(), "GET /ui HTTP/1.1\r\n");
  CHECK(contains(page, "HTTP/1.1 200"));
  CHECK(contains(header(page, "Content-Security-Policy"), "default-src 'self'"));
  CHECK(contains(page, "id=\"login\""));

  std::string metrics =
      request(host.port(), "GET /metrics HTTP/1.1\r\nAuthorization: Bearer t0ken\r\n");
  CHECK(contains(metrics, "HTTP/1.1 200"));
  CHECK(contains(header(metrics, "Content-Type"), "text/plain; version=0.0.4"));
  CHECK(contains(metrics, "wdhost_sessions_max "));

  // A login form's post is what any page could send: refused before the token is looked at.
  std::string form = request(host.port(),
                             "POST /ui/login HTTP/1.1\r\nContent-Type: "
                             "application/x-www-form-urlencoded\r\n",
                             "token=t0ken");
  CHECK(contains(form, "HTTP/1.1 415"));
  CHECK(header(form, "Set-Cookie").empty());
  std::string refused =
      request(host.port(), "POST /ui/login HTTP/1.1\r\nContent-Type: application/json\r\n",
              R"({"token":"wrong"})");
  CHECK(contains(refused, "HTTP/1.1 401"));
  CHECK(header(refused, "Set-Cookie").empty());
  std::string login =
      request(host.port(), "POST /ui/login HTTP/1.1\r\nContent-Type: application/json\r\n",
              R"({"token":"t0ken"})");
  CHECK(contains(login, "HTTP/1.1 200"));
  CHECK(contains(login, "\"role\":\"operator\"")); // one token: the operator's too
  std::string cookie = header(login, "Set-Cookie");
  CHECK(contains(cookie, "HttpOnly"));
  CHECK(contains(cookie, "SameSite=Strict"));
  CHECK(contains(cookie, "Max-Age="));
  CHECK(contains(cookie, "Path=/ui"));
  CHECK_FALSE(contains(cookie, "t0ken"));
  std::string pair = cookie.substr(0, cookie.find(';'));
  std::string state = request(host.port(), "GET /ui/state HTTP/1.1\r\nCookie: " + pair + "\r\n");
  CHECK(contains(state, "HTTP/1.1 200"));
  CHECK(contains(state, "\"csrf\":\""));
  // Each login has a cookie of its own.
  std::string again =
      request(host.port(), "POST /ui/login HTTP/1.1\r\nContent-Type: application/json\r\n",
              R"({"token":"t0ken"})");
  std::string other = header(again, "Set-Cookie");
  CHECK(other.substr(0, other.find(';')) != pair);
  // The cookie opens the page's endpoints only, not WebDriver's.
  CHECK(contains(request(host.port(), "GET /status HTTP/1.1\r\nCookie: " + pair + "\r\n"),
                 "HTTP/1.1 401"));
  // A logout ends that login only.
  std::string logout =
      request(host.port(), "POST /ui/logout HTTP/1.1\r\nCookie: " + pair + "\r\n", "");
  CHECK(contains(logout, "HTTP/1.1 200"));
  CHECK(contains(header(logout, "Set-Cookie"), "Max-Age=0"));
  CHECK(contains(request(host.port(), "GET /ui/state HTTP/1.1\r\nCookie: " + pair + "\r\n"),
                 "HTTP/1.1 401"));
  std::string otherPair = other.substr(0, other.find(';'));
  CHECK(contains(request(host.port(), "GET /ui/state HTTP/1.1\r\nCookie: " + otherPair + "\r\n"),
                 "HTTP/1.1 200"));
}

TEST_CASE(
    "operators: the operator token drains, reads /metrics and ends sessions, clients do not") {
  HostProcess host(WDHOST_BINARY, {"--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin", "fake",
                                   "--auth-token", "client", "--operator-token", "boss"});
  std::string asClient = "Authorization: Bearer client\r\n";
  std::string asOperator = "Authorization: Bearer boss\r\n";
  CHECK(contains(request(host.port(), "GET /metrics HTTP/1.1\r\n" + asClient), "HTTP/1.1 403"));
  CHECK(contains(request(host.port(), "GET /metrics HTTP/1.1\r\n" + asOperator), "HTTP/1.1 200"));
  CHECK(
      contains(request(host.port(), "POST /wdhost/drain HTTP/1.1\r\n" + asClient), "HTTP/1.1 403"));
  // The operator may do what clients do.
  std::string body = kFake;
  std::string created =
      request(host.port(),
              "POST /session HTTP/1.1\r\nContent-Type: application/json\r\n" + asOperator, body);
  REQUIRE(contains(created, "HTTP/1.1 200"));
  std::string id = sessionIdOf(created.substr(created.find("\r\n\r\n") + 4));

  auto loginAs = [&](const std::string& token) {
    std::string answer =
        request(host.port(), "POST /ui/login HTTP/1.1\r\nContent-Type: application/json\r\n",
                "{\"token\":\"" + token + "\"}");
    std::string cookie = header(answer, "Set-Cookie");
    return cookie.substr(0, cookie.find(';'));
  };
  auto csrfOf = [&](const std::string& cookie) {
    std::string state =
        request(host.port(), "GET /ui/state HTTP/1.1\r\nCookie: " + cookie + "\r\n");
    std::size_t at = state.find("\"csrf\":\"") + 8;
    return state.substr(at, state.find('"', at) - at);
  };
  std::string viewer = loginAs("client");
  REQUIRE_FALSE(viewer.empty());
  std::string denied =
      request(host.port(), "POST /ui/sessions/" + id + "/end HTTP/1.1\r\nCookie: " + viewer +
                               "\r\nX-Wdhost-Csrf: " + csrfOf(viewer) + "\r\n");
  CHECK(contains(denied, "HTTP/1.1 403"));
  CHECK(contains(denied, "--operator-token"));
  std::string boss = loginAs("boss");
  std::string ended =
      request(host.port(), "POST /ui/sessions/" + id + "/end HTTP/1.1\r\nCookie: " + boss +
                               "\r\nX-Wdhost-Csrf: " + csrfOf(boss) + "\r\n");
  CHECK(contains(ended, "HTTP/1.1 200"));
  CHECK(contains(request(host.port(), "POST /wdhost/drain HTTP/1.1\r\n" + asOperator),
                 "HTTP/1.1 200"));
  CHECK(host.stop() == 0);
}

TEST_CASE("operators: ending a session from the page needs the CSRF token") {
  HostProcess host(WDHOST_BINARY, {"--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin", "fake"});
  std::string id = sessionIdOf(httpRequest(host.port(), "POST", "/session", kFake).body);
  REQUIRE_FALSE(id.empty());
  HttpAnswer state = httpRequest(host.port(), "GET", "/ui/state");
  REQUIRE(state.status == 200);
  CHECK(contains(state.body, "\"id\":\"" + id + "\""));
  CHECK(contains(state.body, "\"api\":\"webdriver\""));
  CHECK(contains(state.body, "\"client\":\"127.0.0.1:"));
  std::size_t at = state.body.find("\"csrf\":\"") + 8;
  std::string csrf = state.body.substr(at, state.body.find('"', at) - at);

  std::string forged = request(host.port(), "POST /ui/sessions/" + id + "/end HTTP/1.1\r\n");
  CHECK(contains(forged, "HTTP/1.1 403"));
  CHECK(httpRequest(host.port(), "GET", "/session/" + id + "/url").status == 200);
  std::string ended = request(host.port(), "POST /ui/sessions/" + id +
                                               "/end HTTP/1.1\r\nX-Wdhost-Csrf: " + csrf + "\r\n");
  CHECK(contains(ended, "HTTP/1.1 200"));
  CHECK(httpRequest(host.port(), "GET", "/session/" + id + "/url").status == 404);

  // A browser asking for the root gets the page; a WebDriver client still gets JSON.
  std::string root = request(host.port(), "GET / HTTP/1.1\r\nAccept: text/html\r\n");
  CHECK(contains(root, "HTTP/1.1 302"));
  CHECK(header(root, "Location") == "/ui");
  CHECK(httpRequest(host.port(), "GET", "/").status == 404);
}
