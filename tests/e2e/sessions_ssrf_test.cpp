// End to end: no server-side request forgery through the sessions API. Every path (request.get,
// request.post, plain GET and PUT, their redirects, the pages a session's browser loads) is held
// to the target policy on the address actually connected, with real headless browsers. The test
// pages are on 127.0.0.1: the host lets exactly one of them through (--allow-target
// 127.0.0.1:PORT); another one on loopback stands for anything on this machine, and must see no
// request at all.
#include "e2e/sessions_api_calls.h"
#include "support/host_process.h"
#include "support/test_site.h"

#include <Poco/URI.h>
#include <chrono>
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <string>

using namespace wdhtest;

namespace {

// `site`'s /redirect to `target`.
std::string redirectTo(const TestSite& site, const std::string& target) {
  std::string encoded;
  Poco::URI::encode(target, ":/?&=#[]", encoded);
  return site.url("/redirect?to=" + encoded);
}

// A sessions-API command that must be refused by the policy: 400, naming what and why.
void expectRefused(const HostProcess& host, const std::string& body, const std::string& says) {
  int status = 0;
  rapidjson::Document refused = apiCall(host, body, &status);
  CHECK_MESSAGE(status == 400, body);
  CHECK(textOf(refused, "code") == "bad_request");
  CHECK_MESSAGE(textOf(refused, "error").find(says) != std::string::npos, textOf(refused, "error"));
}

// The page source of session `id` after WebDriver navigated it to `url`.
std::string navigate(const HostProcess& host, const std::string& id, const std::string& url) {
  httpRequest(host.port(), "POST", "/session/" + id + "/url", R"({"url":")" + url + "\"}");
  return httpRequest(host.port(), "GET", "/session/" + id + "/source").body;
}

} // namespace

TEST_CASE("sessions ssrf: request.get, request.post and plain requests do not reach loopback") {
  TestSite site;
  TestSite elsewhere; // on this machine, not let through
  HostProcess host(WDHOST_BINARY, {"--plugin", "chrome", "--allow-target", site.authority()});
  REQUIRE(textOf(apiCall(host, R"({"cmd":"sessions.create","session":"s"})"), "data") == "success");
  std::string loopback = elsewhere.authority() + " is a loopback address";
  std::string port = std::to_string(elsewhere.port());

  expectRefused(host,
                R"({"cmd":"request.get","session":"s","url":")" + elsewhere.url("/page") + "\"}",
                loopback);
  expectRefused(host,
                R"({"cmd":"request.get","session":"s","url":"http://localhost:)" + port + "/\"}",
                "localhost: ");
  expectRefused(host,
                R"({"cmd":"request.post","session":"s","postData":"a=1","url":")" +
                    elsewhere.url("/form") + "\"}",
                loopback);
  expectRefused(host,
                R"({"cmd":"request.get","session":"s","requestType":"request","url":")" +
                    elsewhere.url("/page") + "\"}",
                loopback);
  expectRefused(host,
                R"({"cmd":"request.put","session":"s","postData":{"n":1},"url":"http://[::1]:)" +
                    port + "/\"}",
                "is a loopback address");
  // A goto among the browserActions is checked as well.
  expectRefused(host,
                R"({"cmd":"request.get","session":"s","url":")" + site.url("/page") +
                    R"(","browserActions":[{"type":"goto","url":")" + elsewhere.url("/") + "\"}]}",
                loopback);
  // The cloud metadata address: refused by the policy at once, never dialed (no timeout): the
  // refusal names the policy's reason, which a dial that failed would not.
  expectRefused(
      host,
      R"({"cmd":"request.get","session":"s","url":"http://169.254.169.254/latest/meta-data/"})",
      "169.254.169.254:80 is a link-local address");
  expectRefused(
      host,
      R"({"cmd":"request.put","session":"s","url":"http://169.254.169.254/latest/api/token"})",
      "never reaches");
  // A private address needs the operator's --allow-private-targets.
  expectRefused(
      host,
      R"({"cmd":"request.get","session":"s","requestType":"request","url":"http://10.255.255.1/"})",
      "--allow-private-targets");
  // A client's own upstream proxy is dialed under the policy too: refused when created.
  expectRefused(host,
                R"({"cmd":"sessions.create","proxy":"http://user:pass@127.0.0.1:)" + port + "\"}",
                "proxy: " + loopback);
  CHECK(elsewhere.requests() == 0);

  // The site let through still works, both ways.
  rapidjson::Document page =
      apiCall(host, R"({"cmd":"request.get","session":"s","url":")" + site.url("/page") + "\"}");
  REQUIRE_MESSAGE(textOf(page, "data") == "success", textOf(page, "error"));
  CHECK(textOf(page["solution"], "innerText").find("Hello from the test site") !=
        std::string::npos);
  rapidjson::Document plain = apiCall(host, R"({"cmd":"request.get","session":"s","requestType":)"
                                            R"("request","url":")" +
                                                site.url("/page") + "\"}");
  REQUIRE_MESSAGE(textOf(plain, "data") == "success", textOf(plain, "error"));
}

TEST_CASE(
    "sessions ssrf: a redirect from an allowed site to loopback or metadata stops at the hop") {
  TestSite site;
  TestSite elsewhere;
  HostProcess host(WDHOST_BINARY, {"--plugin", "chrome", "--allow-target", site.authority()});
  REQUIRE(textOf(apiCall(host, R"({"cmd":"sessions.create","session":"r"})"), "data") == "success");
  std::string toLoopback = redirectTo(site, elsewhere.url("/secret"));
  std::string toMetadata = redirectTo(site, "http://169.254.169.254/latest/api/token");

  // Plain requests: the host follows the redirect itself; the next hop's dial is refused.
  expectRefused(host,
                R"({"cmd":"request.get","session":"r","requestType":"request","url":")" +
                    toLoopback + "\"}",
                "the redirect to " + elsewhere.url("/secret"));
  expectRefused(host,
                R"({"cmd":"request.put","session":"r","postData":"x","url":")" + toMetadata + "\"}",
                "169.254.169.254:80 is a link-local address");

  // Page loads: the browser follows it through the session's forwarding proxy, which answers
  // the refusal instead of connecting.
  for (const auto& [target, says] :
       {std::pair{toLoopback, elsewhere.authority() + " is a loopback address"},
        std::pair{toMetadata, std::string("169.254.169.254:80 is a link-local address")}}) {
    rapidjson::Document got =
        apiCall(host, R"({"cmd":"request.get","session":"r","url":")" + target + "\"}");
    REQUIRE_MESSAGE(got.HasMember("solution"), textOf(got, "error"));
    std::string shown = textOf(got["solution"], "innerText");
    CHECK_MESSAGE(shown.find("wdhost proxy: " + says) != std::string::npos, shown);
    CHECK(got["solution"]["statusCode"].GetInt() == 403);
  }
  CHECK(elsewhere.requests() == 0);
  CHECK(site.requests() >= 4);
}

TEST_CASE("sessions ssrf: each browser goes through its session's proxy, loopback included") {
  TestSite site;
  TestSite elsewhere;
  std::vector<std::string> args = {"--plugin", "chrome", "--plugin", "firefox"};
#ifdef WDHOST_HAS_SAFARI
  args.insert(args.end(), {"--plugin", "safari"});
#endif
  args.insert(args.end(), {"--allow-target", site.authority()});
  HostProcess host(WDHOST_BINARY, args);
  std::string port = std::to_string(elsewhere.port());
  for (const char* browser : {"chrome", "firefox", "safari"}) {
    INFO("browser: ", browser);
    rapidjson::Document created = apiCall(host, R"({"cmd":"sessions.create","browser":[{"name":")" +
                                                    std::string(browser) + "\"}]}");
    if (std::string(browser) == "safari" && !created.HasMember("session")) {
      MESSAGE("no WebKit here: " << textOf(created, "error"));
      continue;
    }
    REQUIRE_MESSAGE(created.HasMember("session"), textOf(created, "error"));
    std::string id = created["session"].GetString();
    // The site let through loads.
    CHECK(navigate(host, id, site.url("/page")).find("Hello from the test site") !=
          std::string::npos);
    // The browser's own navigations (WebDriver on the session, no API check in between) to
    // this machine: each reaches the proxy, which refuses it.
    for (const std::string& url : {elsewhere.url("/direct"), "http://localhost:" + port + "/named",
                                   "http://[::1]:" + port + "/v6",
                                   std::string("http://169.254.169.254/latest/meta-data/")}) {
      std::string source = navigate(host, id, url);
      CHECK_MESSAGE(source.find("wdhost proxy: ") != std::string::npos, url, ": ", source);
    }
    CHECK(apiCall(host, R"({"cmd":"sessions.destroy","session":")" + id + "\"}")
              .HasMember("session"));
  }
  CHECK(elsewhere.requests() == 0);
}

TEST_CASE("sessions ssrf: only http and https URLs: not the host's files nor the browser's pages") {
  TestSite site;
  HostProcess host(WDHOST_BINARY, {"--plugin", "chrome", "--allow-target", site.authority()});
  for (const char* url : {"file:///etc/passwd", "FILE:///etc/passwd",
                          "view-source:http://example.com/", "data:text/html,<p>hi</p>",
                          "about:blank", "about:config", "chrome://version", "javascript:alert(1)",
                          "ftp://example.com/", "//example.com/", "gopher://127.0.0.1:6379/"}) {
    INFO(url);
    int status = 0;
    rapidjson::Document refused =
        apiCall(host, R"({"cmd":"request.get","url":")" + std::string(url) + "\"}", &status);
    CHECK(status == 400);
    CHECK(textOf(refused, "error").find("must be an http:// or https:// URL") != std::string::npos);
  }
  expectRefused(host,
                R"({"cmd":"request.get","url":")" + site.url("/page") +
                    R"(","browserActions":[{"type":"goto","url":"file:///etc/passwd"}]})",
                "goto: \"url\" must be an http:// or https:// URL");
  // The scheme's case does not matter.
  rapidjson::Document upper =
      apiCall(host, R"({"cmd":"request.get","url":"HTTP://)" + site.authority() + "/page\"}");
  REQUIRE_MESSAGE(textOf(upper, "data") == "success", textOf(upper, "error"));
  CHECK(textOf(upper["solution"], "innerText").find("Hello from the test site") !=
        std::string::npos);
}

TEST_CASE("sessions ssrf: --allow-private-targets opens private networks, never loopback") {
  TestSite elsewhere;
  HostProcess host(WDHOST_BINARY, {"--plugin", "chrome", "--allow-private-targets"});
  REQUIRE(textOf(apiCall(host, R"({"cmd":"sessions.create","session":"p"})"), "data") == "success");
  // Dialed now: whatever happens is the network's answer (a timeout, unreachable, or even an
  // answer), never the policy's refusal.
  int status = 0;
  rapidjson::Document lan =
      apiCall(host,
              R"({"cmd":"request.get","session":"p","requestType":"request","timeout":2000,)"
              R"("url":"http://10.255.255.1/"})",
              &status);
  CHECK(status != 400);
  CHECK(textOf(lan, "error").find("--allow-private-targets") == std::string::npos);
  expectRefused(host,
                R"({"cmd":"request.get","session":"p","requestType":"request","url":")" +
                    elsewhere.url("/") + "\"}",
                "is a loopback address");
  expectRefused(host, R"({"cmd":"request.get","session":"p","url":"http://169.254.169.254/"})",
                "link-local");
  CHECK(elsewhere.requests() == 0);
}
