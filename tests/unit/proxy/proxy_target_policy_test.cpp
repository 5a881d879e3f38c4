// The forwarding proxy holds what it connects to to the target policy: the target when direct
// (names resolved by the proxy, the address dialed is the one checked), a client's upstream
// otherwise; a refusal is a 403 naming the address, and nothing is connected.
#include "proxy/forwarding_proxy.h"
#include "support/proxy_test_servers.h"

#include <chrono>
#include <doctest/doctest.h>

using namespace wdhtest;
using wdh::TargetPolicy;
using wdh::UpstreamProxy;

namespace {

std::string local(uint16_t port) {
  return "127.0.0.1:" + std::to_string(port);
}

// The default policy with `port` on 127.0.0.1 let through (--allow-target 127.0.0.1:PORT).
TargetPolicy allowingLocal(uint16_t port) {
  TargetPolicy policy;
  wdh::AllowedTarget target;
  REQUIRE(wdh::parseAllowedTarget(local(port), &target).isOk());
  policy.allowed.push_back(target);
  return policy;
}

UpstreamProxy httpUpstreamAt(uint16_t port) {
  UpstreamProxy u;
  u.kind = UpstreamProxy::Kind::Http;
  u.host = "127.0.0.1";
  u.port = port;
  u.user = "user";
  u.password = "pass";
  return u;
}

} // namespace

TEST_CASE("proxy policy: direct, loopback targets are refused in every form, nothing connected") {
  OriginServer origin;
  wdh::ForwardingProxy proxy({}, {}, TargetPolicy{});
  REQUIRE(proxy.start().isOk());
  std::string port = std::to_string(origin.port());

  std::string tunnel =
      exchange(proxy.port(), "CONNECT " + local(origin.port()) + " HTTP/1.1\r\n\r\n");
  CHECK(statusOf(tunnel) == 403);
  CHECK(tunnel.find(local(origin.port()) + " is a loopback address") != std::string::npos);
  CHECK(tunnel.find("--allow-target") != std::string::npos);

  std::string named =
      exchange(proxy.port(), "GET http://localhost:" + port + "/ HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(statusOf(named) == 403);
  CHECK(named.find("localhost: ") != std::string::npos);
  CHECK(named.find("is a loopback address") != std::string::npos);

  std::string mapped =
      exchange(proxy.port(), "CONNECT [::ffff:127.0.0.1]:" + port + " HTTP/1.1\r\n\r\n");
  CHECK(statusOf(mapped) == 403);
  std::string unspecified = exchange(proxy.port(), "CONNECT 0.0.0.0:" + port + " HTTP/1.1\r\n\r\n");
  CHECK(statusOf(unspecified) == 403);
  CHECK(unspecified.find("unspecified address") != std::string::npos);

  CHECK(origin.requests() == 0);
  CHECK(proxy.stats().refused == 4);
  CHECK(proxy.stats().failed == 0);
  CHECK(proxy.stats().served == 0);
}

TEST_CASE(
    "proxy policy: direct, the metadata address is refused at once, private ones by default") {
  wdh::ForwardingProxy proxy({}, {}, TargetPolicy{});
  REQUIRE(proxy.start().isOk());
  std::string metadata = exchange(
      proxy.port(), "GET http://169.254.169.254/latest/meta-data/ HTTP/1.1\r\nHost: x\r\n\r\n");
  // Refused by the policy before any dial: counted as refused, not as a dial that failed.
  CHECK(statusOf(metadata) == 403);
  CHECK(metadata.find("169.254.169.254:80 is a link-local address") != std::string::npos);
  CHECK(proxy.stats().refused == 1);
  CHECK(proxy.stats().failed == 0);
  std::string lan = exchange(proxy.port(), "CONNECT 10.255.255.1:443 HTTP/1.1\r\n\r\n");
  CHECK(statusOf(lan) == 403);
  CHECK(lan.find("--allow-private-targets") != std::string::npos);
}

TEST_CASE("proxy policy: direct, an --allow-target opens exactly its address and port") {
  OriginServer origin;
  OriginServer other;
  wdh::ForwardingProxy proxy({}, {}, allowingLocal(origin.port()));
  REQUIRE(proxy.start().isOk());
  CHECK(statusOf(exchange(proxy.port(), "GET http://" + local(origin.port()) +
                                            "/ HTTP/1.1\r\nHost: x\r\n\r\n")) == 200);
  CHECK(statusOf(exchange(proxy.port(), "GET http://localhost:" + std::to_string(origin.port()) +
                                            "/ HTTP/1.1\r\nHost: x\r\n\r\n")) == 200);
  CHECK(statusOf(exchange(proxy.port(), "GET http://" + local(other.port()) +
                                            "/ HTTP/1.1\r\nHost: x\r\n\r\n")) == 403);
  CHECK(origin.requests() == 2);
  CHECK(other.requests() == 0);
}

TEST_CASE("proxy policy: a client's upstream on loopback is refused; the operator's is not") {
  OriginServer origin;
  HttpUpstream upstream("user", "pass");
  std::string target = "origin.test:" + std::to_string(origin.port());
  {
    wdh::ForwardingProxy proxy(httpUpstreamAt(upstream.port()), {}, TargetPolicy{});
    REQUIRE(proxy.start().isOk());
    std::string tunnel = exchange(proxy.port(), "CONNECT " + target + " HTTP/1.1\r\n\r\n");
    CHECK(statusOf(tunnel) == 403);
    CHECK(tunnel.find(local(upstream.port()) + " is a loopback address") != std::string::npos);
    std::string plain =
        exchange(proxy.port(), "GET http://" + target + "/ HTTP/1.1\r\nHost: origin.test\r\n\r\n");
    CHECK(statusOf(plain) == 403);
    CHECK(upstream.seen().snapshot().empty());
  }
  UpstreamProxy operators = httpUpstreamAt(upstream.port());
  operators.operatorChosen = true; // from --proxy-pool
  wdh::ForwardingProxy proxy(operators, {}, TargetPolicy{});
  REQUIRE(proxy.start().isOk());
  std::string response = connectAndSend(
      proxy.port(), target, "GET /via HTTP/1.1\r\nHost: origin.test\r\nConnection: close\r\n\r\n");
  CHECK(statusOf(response) == 200);
  CHECK(upstream.seen().authenticated == 1);
  CHECK(origin.requests() == 1);
}
