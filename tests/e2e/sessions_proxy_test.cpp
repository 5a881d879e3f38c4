// End to end: a sessions-API session behind an upstream proxy that requires credentials, with
// a domain allowlist, in real headless Chromium. The upstream (a test server) connects every
// host name to 127.0.0.1, so "allowed.test" reaches the local test site without DNS.
#include "e2e/sessions_api_calls.h"
#include "support/host_process.h"
#include "support/proxy_test_servers.h"
#include "support/test_site.h"

#include <algorithm>
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <string>

using namespace wdhtest;

namespace {

// --allow-target for the upstream test server (a client's upstream on this machine).
std::string upstreamTarget(const wdhtest::HttpUpstream& upstream) {
  return "127.0.0.1:" + std::to_string(upstream.port());
}

bool sawHost(wdhtest::UpstreamLog& log, const std::string& host) {
  auto targets = log.snapshot();
  return std::any_of(targets.begin(), targets.end(),
                     [&](const std::string& t) { return t.find(host) != std::string::npos; });
}

} // namespace

TEST_CASE("sessions proxy: credentials reach the upstream and the allowlist refuses the rest") {
  TestSite site;
  wdhtest::HttpUpstream upstream("scraper", "s3cret");
  // The client's upstream is on this machine: only an explicit exception lets the host dial it.
  HostProcess host(WDHOST_BINARY,
                   {"--plugin", "chrome", "--allow-target", upstreamTarget(upstream)});
  std::string port = std::to_string(site.port());
  rapidjson::Document created = apiCall(
      host,
      R"({"cmd":"sessions.create","session":"behind-proxy","proxy":"http://scraper:s3cret@127.0.0.1:)" +
          std::to_string(upstream.port()) + R"(","whitelistedDomains":["allowed.test"]})");
  INFO("sessions.create answered ",
       (created.HasMember("error") ? created["error"].GetString() : "ok"));
  REQUIRE(created.HasMember("session"));

  rapidjson::Document got =
      apiCall(host, R"({"cmd":"request.get","session":"behind-proxy","url":"http://allowed.test:)" +
                        port + R"(/page"})");
  REQUIRE(got.HasMember("solution"));
  CHECK(got["solution"]["statusCode"].GetInt() == 200);
  CHECK(std::string(got["solution"]["innerText"].GetString()).find("Hello from the test site") !=
        std::string::npos);
  CHECK(sawHost(upstream.seen(), "allowed.test"));
  CHECK(upstream.seen().authenticated > 0);
  CHECK(upstream.seen().rejected == 0);

  // A plain request (made by the host, not the browser) goes through the same upstream.
  rapidjson::Document plain =
      apiCall(host, R"({"cmd":"request.get","session":"behind-proxy","requestType":"request",)"
                    R"("url":"http://plain.allowed.test:)" +
                        port + R"(/page"})");
  REQUIRE_MESSAGE(plain.HasMember("solution"),
                  (plain.HasMember("error") ? plain["error"].GetString() : ""));
  CHECK(plain["solution"]["statusCode"].GetInt() == 200);
  CHECK(std::string(plain["solution"]["response"].GetString()).find("Hello from the test site") !=
        std::string::npos);
  CHECK(sawHost(upstream.seen(), "plain.allowed.test"));
  CHECK(upstream.seen().rejected == 0);

  // A subdomain of a listed domain loads; another domain, not navigated to by the API, is refused
  // by the session's own proxy and never reaches the upstream.
  std::string base = "/session/behind-proxy";
  CHECK(httpRequest(host.port(), "POST", base + "/url",
                    R"({"url":"http://www.allowed.test:)" + port + R"(/page"})")
            .status == 200);
  CHECK(httpRequest(host.port(), "GET", base + "/title").body == R"({"value":"Test page"})");
  httpRequest(host.port(), "POST", base + "/url",
              R"({"url":"http://blocked.test:)" + port + R"(/page"})");
  CHECK(httpRequest(host.port(), "GET", base + "/title").body != R"({"value":"Test page"})");
  CHECK_FALSE(sawHost(upstream.seen(), "blocked.test"));

  CHECK(
      apiCall(host, R"({"cmd":"sessions.destroy","session":"behind-proxy"})").HasMember("session"));
}

TEST_CASE("sessions proxy: wrong upstream credentials do not load the page") {
  TestSite site;
  wdhtest::HttpUpstream upstream("scraper", "s3cret");
  // The client's upstream is on this machine: only an explicit exception lets the host dial it.
  HostProcess host(WDHOST_BINARY,
                   {"--plugin", "chrome", "--allow-target", upstreamTarget(upstream)});
  rapidjson::Document created =
      apiCall(host, R"({"cmd":"sessions.create","proxy":"http://scraper:wrong@127.0.0.1:)" +
                        std::to_string(upstream.port()) + R"("})");
  REQUIRE(created.HasMember("session"));
  std::string id = created["session"].GetString();
  rapidjson::Document got =
      apiCall(host, R"({"cmd":"request.get","session":")" + id + R"(","url":"http://site.test:)" +
                        std::to_string(site.port()) + R"(/page"})");
  bool loaded =
      got.HasMember("solution") &&
      std::string(got["solution"]["innerText"].GetString()).find("Hello from the test site") !=
          std::string::npos;
  CHECK_FALSE(loaded);
  CHECK(upstream.seen().rejected > 0);
}

TEST_CASE("sessions proxy: only the session's own browser may use its forwarding proxy") {
  TestSite site;
  wdhtest::HttpUpstream upstream("scraper", "s3cret");
  HostProcess host(WDHOST_BINARY, {"--plugin", "chrome", "--plugin", "firefox", "--allow-target",
                                   upstreamTarget(upstream)});
  std::string page = "http://site.test:" + std::to_string(site.port()) + "/page";
  for (const char* browser : {"chrome", "firefox"}) {
    INFO("browser: ", browser);
    std::string id = std::string("own-proxy-") + browser;
    rapidjson::Document created =
        apiCall(host, R"({"cmd":"sessions.create","session":")" + id + R"(","browser":[{"name":")" +
                          browser + R"("}],"proxy":"http://scraper:s3cret@127.0.0.1:)" +
                          std::to_string(upstream.port()) + R"("})");
    REQUIRE_MESSAGE(created.HasMember("session"),
                    (created.HasMember("error") ? created["error"].GetString() : ""));
    // The session's browser loads pages through it and the upstream.
    rapidjson::Document got =
        apiCall(host, R"({"cmd":"request.get","session":")" + id + R"(","url":")" + page + "\"}");
    REQUIRE(got.HasMember("solution"));
    CHECK(std::string(got["solution"]["innerText"].GetString()).find("Hello from the test site") !=
          std::string::npos);
    CHECK(upstream.seen().authenticated > 0);

    // Anyone else on the machine (this test process) gets 407, and the upstream sees nothing.
    // (The previous session's proxy may still be closing with its session: wait, bounded.)
    std::vector<int> forwarders;
    REQUIRE(eventually(
        [&] {
          forwarders.clear();
          for (int port : listeningPorts(host.pid()))
            if (port != host.port())
              forwarders.push_back(port);
          return forwarders.size() == 1;
        },
        std::chrono::seconds(10)));
    // (Targets of their own, so that the browser's own late requests cannot be mistaken.)
    std::string probe = "http://site.test:" + std::to_string(site.port()) + "/not-yours";
    std::string plain =
        rawExchange(forwarders[0], "GET " + probe + " HTTP/1.1\r\nHost: site.test:" +
                                       std::to_string(site.port()) + "\r\n\r\n");
    CHECK(plain.rfind("HTTP/1.1 407", 0) == 0);
    std::string tunnel = rawExchange(
        forwarders[0], "CONNECT not-yours.test:443 HTTP/1.1\r\nHost: not-yours.test:443\r\n\r\n");
    CHECK(tunnel.rfind("HTTP/1.1 407", 0) == 0);
    for (const std::string& target : upstream.seen().snapshot())
      CHECK_MESSAGE(target.find("not-yours") == std::string::npos, target);

    CHECK(apiCall(host, R"({"cmd":"sessions.destroy","session":")" + id + "\"}")
              .HasMember("session"));
  }
}
