// The forwarding proxy through upstreams that require credentials: HTTP, SOCKS5, SOCKS4a; and
// the allowlist on names only the upstream resolves.
#include "proxy/forwarding_proxy.h"
#include "support/proxy_test_servers.h"

#include <doctest/doctest.h>

// These tests are about the proxy machinery on loopback: nothing is refused by address.
static const wdh::TargetPolicy kOpen = wdh::TargetPolicy::unrestricted();

using namespace wdhtest;
using wdh::UpstreamProxy;

namespace {

UpstreamProxy upstreamAt(UpstreamProxy::Kind kind, uint16_t port, std::string user,
                         std::string password) {
  UpstreamProxy u;
  u.kind = kind;
  u.host = "127.0.0.1";
  u.port = port;
  u.user = std::move(user);
  u.password = std::move(password);
  return u;
}

std::string innerGet(const std::string& path) {
  return "GET " + path + " HTTP/1.1\r\nHost: origin.test\r\nConnection: close\r\n\r\n";
}

std::string originAt(uint16_t port, const std::string& name = "origin.test") {
  return name + ":" + std::to_string(port);
}

} // namespace

TEST_CASE("proxy: authenticates to an HTTP upstream for CONNECT and plain requests") {
  OriginServer origin;
  HttpUpstream upstream("user", "s3cret:x");
  wdh::ForwardingProxy proxy(
      upstreamAt(UpstreamProxy::Kind::Http, upstream.port(), "user", "s3cret:x"), {}, kOpen);
  REQUIRE(proxy.start().isOk());

  std::string response = connectAndSend(proxy.port(), originAt(origin.port()), innerGet("/t"));
  CHECK(statusOf(response) == 200);
  CHECK(response.find("origin GET /t") != std::string::npos);

  response = exchange(proxy.port(), "GET http://" + originAt(origin.port()) +
                                        "/plain HTTP/1.1\r\nHost: origin.test\r\n\r\n");
  CHECK(statusOf(response) == 200);
  CHECK(response.find("/plain") != std::string::npos);
  CHECK(upstream.seen().authenticated == 2);
  CHECK(upstream.seen().rejected == 0);
  CHECK(upstream.seen().snapshot() == std::vector<std::string>{"origin.test", "origin.test"});
  CHECK(origin.requests() == 2);
}

TEST_CASE("proxy: wrong HTTP upstream credentials reach the client as an error") {
  OriginServer origin;
  HttpUpstream upstream("user", "right");
  wdh::ForwardingProxy proxy(
      upstreamAt(UpstreamProxy::Kind::Http, upstream.port(), "user", "wrong"), {}, kOpen);
  REQUIRE(proxy.start().isOk());
  std::string response = connectAndSend(proxy.port(), originAt(origin.port()), innerGet("/"));
  CHECK(statusOf(response) == 502);
  CHECK(response.find("rejected the credentials (407)") != std::string::npos);
  CHECK(response.find("wrong") == std::string::npos);
  CHECK(proxy.stats().failed == 1);

  response = exchange(proxy.port(), "GET http://" + originAt(origin.port()) + "/ HTTP/1.1\r\n\r\n");
  CHECK(statusOf(response) == 407);
  CHECK(origin.requests() == 0);
  CHECK(upstream.seen().rejected == 2);
}

TEST_CASE("proxy: authenticates to a SOCKS5 upstream that resolves the names") {
  OriginServer origin;
  SocksUpstream upstream(5, "sockuser", "sockpass");
  wdh::ForwardingProxy proxy(
      upstreamAt(UpstreamProxy::Kind::Socks5, upstream.port(), "sockuser", "sockpass"), {}, kOpen);
  REQUIRE(proxy.start().isOk());
  std::string response = connectAndSend(proxy.port(), originAt(origin.port()), innerGet("/s5"));
  CHECK(statusOf(response) == 200);
  CHECK(response.find("origin GET /s5") != std::string::npos);
  response =
      exchange(proxy.port(), "GET http://" + originAt(origin.port()) + "/s5plain HTTP/1.1\r\n\r\n");
  CHECK(statusOf(response) == 200);
  CHECK(response.find("origin GET /s5plain host=" + originAt(origin.port())) != std::string::npos);
  CHECK(upstream.seen().snapshot() == std::vector<std::string>{"origin.test", "origin.test"});
}

TEST_CASE("proxy: wrong SOCKS5 credentials answer 502") {
  OriginServer origin;
  SocksUpstream upstream(5, "sockuser", "sockpass");
  wdh::ForwardingProxy proxy(
      upstreamAt(UpstreamProxy::Kind::Socks5, upstream.port(), "sockuser", "nope"), {}, kOpen);
  REQUIRE(proxy.start().isOk());
  std::string response = connectAndSend(proxy.port(), originAt(origin.port()), innerGet("/"));
  CHECK(statusOf(response) == 502);
  CHECK(response.find("rejected the credentials") != std::string::npos);
  CHECK(upstream.seen().rejected == 1);
  CHECK(origin.requests() == 0);
}

TEST_CASE("proxy: SOCKS5 without credentials is refused by an upstream that requires them") {
  OriginServer origin;
  SocksUpstream upstream(5, "sockuser", "sockpass");
  wdh::ForwardingProxy proxy(upstreamAt(UpstreamProxy::Kind::Socks5, upstream.port(), "", ""), {},
                             kOpen);
  REQUIRE(proxy.start().isOk());
  std::string response = connectAndSend(proxy.port(), originAt(origin.port()), innerGet("/"));
  CHECK(statusOf(response) == 502);
  CHECK(proxy.stats().failed == 1);
}

TEST_CASE("proxy: SOCKS4a carries the user id and the host name") {
  OriginServer origin;
  SocksUpstream upstream(4, "ident", "");
  wdh::ForwardingProxy proxy(upstreamAt(UpstreamProxy::Kind::Socks4, upstream.port(), "ident", ""),
                             {}, kOpen);
  REQUIRE(proxy.start().isOk());
  std::string response = connectAndSend(proxy.port(), originAt(origin.port()), innerGet("/s4"));
  CHECK(statusOf(response) == 200);
  CHECK(response.find("origin GET /s4") != std::string::npos);
  CHECK(upstream.seen().snapshot() == std::vector<std::string>{"origin.test"});

  SocksUpstream strict(4, "other", "");
  wdh::ForwardingProxy refused(upstreamAt(UpstreamProxy::Kind::Socks4, strict.port(), "ident", ""),
                               {}, kOpen);
  REQUIRE(refused.start().isOk());
  CHECK(statusOf(connectAndSend(refused.port(), originAt(origin.port()), innerGet("/"))) == 502);
}

TEST_CASE("proxy: the allowlist admits listed domains and subdomains, refuses others with 403") {
  OriginServer origin;
  HttpUpstream upstream("u", "p");
  wdh::ForwardingProxy proxy(upstreamAt(UpstreamProxy::Kind::Http, upstream.port(), "u", "p"),
                             {"allowed.test"}, kOpen);
  REQUIRE(proxy.start().isOk());

  CHECK(statusOf(connectAndSend(proxy.port(), originAt(origin.port(), "allowed.test"),
                                innerGet("/a"))) == 200);
  CHECK(statusOf(connectAndSend(proxy.port(), originAt(origin.port(), "www.Allowed.test"),
                                innerGet("/b"))) == 200);
  CHECK(statusOf(connectAndSend(proxy.port(), originAt(origin.port(), "blocked.test"),
                                innerGet("/c"))) == 403);
  CHECK(statusOf(connectAndSend(proxy.port(), originAt(origin.port(), "evilallowed.test"),
                                innerGet("/d"))) == 403);
  std::string plain = exchange(
      proxy.port(), "GET http://" + originAt(origin.port(), "blocked.test") + "/ HTTP/1.1\r\n\r\n");
  CHECK(statusOf(plain) == 403);
  CHECK(plain.find("blocked.test is not in this session's allowed domains") != std::string::npos);
  CHECK(origin.requests() == 2);
  CHECK(proxy.stats().refused == 3);

  proxy.allowHost("blocked.test");
  CHECK(statusOf(connectAndSend(proxy.port(), originAt(origin.port(), "blocked.test"),
                                innerGet("/e"))) == 200);
  CHECK(statusOf(connectAndSend(proxy.port(), originAt(origin.port(), "x.blocked.test"),
                                innerGet("/f"))) == 200);
  CHECK(origin.requests() == 4);
  CHECK(upstream.seen().snapshot() == std::vector<std::string>{"allowed.test", "www.allowed.test",
                                                               "blocked.test", "x.blocked.test"});
}
