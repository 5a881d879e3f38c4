// The sessions API's target policy: every special range, IPv4 and IPv6, the IPv6 forms that carry
// an IPv4 address, the edges of each range, --allow-target's forms and what it cannot open.
#include "proxy/target_policy.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <string>

using namespace wdh;

namespace {

// An address from its text, as the resolver hands it over (inet_pton; Poco cannot parse "::").
Poco::Net::IPAddress addressOf(const std::string& text) {
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1)
    return Poco::Net::IPAddress(&v4, sizeof v4);
  REQUIRE_MESSAGE(inet_pton(AF_INET6, text.c_str(), &v6) == 1, text);
  return Poco::Net::IPAddress(&v6, sizeof v6);
}

AddressKind kindOf(const std::string& text) {
  return classifyAddress(addressOf(text));
}

// The policy's refusal for text ("1.2.3.4" or "::1") on `port`.
std::string refusal(const TargetPolicy& policy, const std::string& text, std::uint16_t port = 80) {
  return policy.refusal(Poco::Net::SocketAddress(addressOf(text), port));
}

TargetPolicy withTargets(std::initializer_list<const char*> targets) {
  TargetPolicy policy;
  for (const char* text : targets) {
    AllowedTarget target;
    REQUIRE_MESSAGE(parseAllowedTarget(text, &target).isOk(), text);
    policy.allowed.push_back(target);
  }
  return policy;
}

} // namespace

TEST_CASE("target policy: IPv4 ranges and their edges") {
  struct Case {
    const char* address;
    AddressKind kind;
  };
  for (const Case& c : {
           Case{"0.0.0.0", AddressKind::Unspecified},
           Case{"0.255.255.255", AddressKind::Unspecified},
           Case{"1.0.0.0", AddressKind::Public},
           Case{"9.255.255.255", AddressKind::Public},
           Case{"10.0.0.0", AddressKind::Private},
           Case{"10.255.255.255", AddressKind::Private},
           Case{"11.0.0.0", AddressKind::Public},
           Case{"100.63.255.255", AddressKind::Public},
           Case{"100.64.0.0", AddressKind::Private},
           Case{"100.127.255.255", AddressKind::Private},
           Case{"100.128.0.0", AddressKind::Public},
           Case{"100.100.100.200", AddressKind::Metadata},
           Case{"126.255.255.255", AddressKind::Public},
           Case{"127.0.0.0", AddressKind::Loopback},
           Case{"127.0.0.1", AddressKind::Loopback},
           Case{"127.255.255.255", AddressKind::Loopback},
           Case{"128.0.0.0", AddressKind::Public},
           Case{"169.253.255.255", AddressKind::Public},
           Case{"169.254.0.0", AddressKind::LinkLocal},
           Case{"169.254.169.254", AddressKind::LinkLocal},
           Case{"169.254.170.2", AddressKind::LinkLocal},
           Case{"169.254.255.255", AddressKind::LinkLocal},
           Case{"169.255.0.0", AddressKind::Public},
           Case{"172.15.255.255", AddressKind::Public},
           Case{"172.16.0.0", AddressKind::Private},
           Case{"172.31.255.255", AddressKind::Private},
           Case{"172.32.0.0", AddressKind::Public},
           Case{"192.0.0.0", AddressKind::Reserved},
           Case{"192.0.0.255", AddressKind::Reserved},
           Case{"192.0.2.1", AddressKind::Public},
           Case{"192.167.255.255", AddressKind::Public},
           Case{"192.168.0.0", AddressKind::Private},
           Case{"192.168.255.255", AddressKind::Private},
           Case{"192.169.0.0", AddressKind::Public},
           Case{"198.17.255.255", AddressKind::Public},
           Case{"198.18.0.0", AddressKind::Private},
           Case{"198.19.255.255", AddressKind::Private},
           Case{"198.20.0.0", AddressKind::Public},
           Case{"223.255.255.255", AddressKind::Public},
           Case{"224.0.0.0", AddressKind::Multicast},
           Case{"239.255.255.255", AddressKind::Multicast},
           Case{"240.0.0.0", AddressKind::Reserved},
           Case{"255.255.255.254", AddressKind::Reserved},
           Case{"255.255.255.255", AddressKind::Broadcast},
           Case{"93.184.216.34", AddressKind::Public},
           Case{"8.8.8.8", AddressKind::Public},
       }) {
    INFO(c.address);
    CHECK(kindOf(c.address) == c.kind);
  }
}

TEST_CASE("target policy: IPv6 ranges, and the forms that carry an IPv4 address") {
  struct Case {
    const char* address;
    AddressKind kind;
  };
  for (const Case& c : {
           Case{"::", AddressKind::Unspecified},
           Case{"::1", AddressKind::Loopback},
           Case{"::2", AddressKind::Reserved},
           Case{"::127.0.0.1", AddressKind::Reserved}, // IPv4-compatible, deprecated
           Case{"::ffff:127.0.0.1", AddressKind::Loopback},
           Case{"::ffff:7f00:1", AddressKind::Loopback},
           Case{"::ffff:169.254.169.254", AddressKind::LinkLocal},
           Case{"::ffff:10.0.0.1", AddressKind::Private},
           Case{"::ffff:0.0.0.0", AddressKind::Unspecified},
           Case{"::ffff:255.255.255.255", AddressKind::Broadcast},
           Case{"::ffff:8.8.8.8", AddressKind::Public},
           Case{"64:ff9b::127.0.0.1", AddressKind::Loopback},
           Case{"64:ff9b::169.254.169.254", AddressKind::LinkLocal},
           Case{"64:ff9b::8.8.8.8", AddressKind::Public},
           Case{"64:ff9b:1::1", AddressKind::Private},
           Case{"2002:7f00:1::", AddressKind::Loopback},
           Case{"2002:a9fe:a9fe::1", AddressKind::LinkLocal},
           Case{"2002:0808:0808::1", AddressKind::Public},
           Case{"100::1", AddressKind::Reserved},
           Case{"fe7f:ffff::1", AddressKind::Public},
           Case{"fe80::", AddressKind::LinkLocal},
           Case{"fe80::1", AddressKind::LinkLocal},
           Case{"febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", AddressKind::LinkLocal},
           Case{"fec0::1", AddressKind::Private},
           Case{"fbff:ffff::1", AddressKind::Public},
           Case{"fc00::", AddressKind::Private},
           Case{"fd12:3456::1", AddressKind::Private},
           Case{"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", AddressKind::Private},
           Case{"fd00:ec2::254", AddressKind::Metadata},
           Case{"fd00:ec2::253", AddressKind::Private},
           Case{"ff02::1", AddressKind::Multicast},
           Case{"ff00::", AddressKind::Multicast},
           Case{"2001:4860:4860::8888", AddressKind::Public},
           Case{"2606:2800:220:1::", AddressKind::Public},
       }) {
    INFO(c.address);
    CHECK(kindOf(c.address) == c.kind);
  }
}

TEST_CASE("target policy: the default refuses all but public addresses, naming each and why") {
  TargetPolicy policy;
  CHECK(refusal(policy, "93.184.216.34").empty());
  CHECK(refusal(policy, "2606:2800:220:1::", 443).empty());
  CHECK(refusal(policy, "::ffff:93.184.216.34").empty());

  std::string loopback = refusal(policy, "127.0.0.1", 4444);
  CHECK(loopback.find("127.0.0.1:4444 is a loopback address") == 0);
  CHECK(loopback.find("--allow-private-targets does not open it") != std::string::npos);
  CHECK(loopback.find("--allow-target") != std::string::npos);
  CHECK(refusal(policy, "::1", 4444).find("[::1]:4444 is a loopback address") == 0);
  // Named as dialed, classified as what it carries.
  CHECK(refusal(policy, "::ffff:127.0.0.1", 4444).find("[::ffff:127.0.0.1]:4444 is a loopback") ==
        0);

  std::string metadata = refusal(policy, "169.254.169.254");
  CHECK(metadata.find("169.254.169.254:80 is a link-local address") == 0);
  CHECK(metadata.find("cloud metadata") != std::string::npos);
  CHECK(metadata.find("never reaches") != std::string::npos);
  CHECK(refusal(policy, "fd00:ec2::254").find("cloud metadata") != std::string::npos);
  CHECK(refusal(policy, "100.100.100.200").find("cloud metadata") != std::string::npos);

  std::string lan = refusal(policy, "10.255.255.1");
  CHECK(lan.find("10.255.255.1:80 is a private address") == 0);
  CHECK(lan.find("--allow-private-targets") != std::string::npos);
  for (const char* other : {"0.0.0.0", "::", "224.0.0.1", "255.255.255.255", "240.0.0.1", "fe80::1",
                            "ff02::1", "::ffff:0.0.0.0", "192.168.1.1", "fc00::1"})
    CHECK_MESSAGE(!refusal(policy, other).empty(), other);
}

TEST_CASE("target policy: --allow-private-targets opens private ranges only") {
  TargetPolicy policy;
  policy.allowPrivate = true;
  for (const char* lan : {"10.0.0.1", "172.16.5.4", "192.168.1.1", "100.64.0.1", "198.18.0.1",
                          "fd12::1", "fec0::1", "::ffff:192.168.1.1"})
    CHECK_MESSAGE(refusal(policy, lan).empty(), lan);
  for (const char* never :
       {"127.0.0.1", "::1", "::ffff:127.0.0.1", "169.254.169.254", "fe80::1", "0.0.0.0",
        "::", "100.100.100.200", "fd00:ec2::254", "224.0.0.1", "255.255.255.255"})
    CHECK_MESSAGE(!refusal(policy, never).empty(), never);
}

TEST_CASE("target policy: an --allow-target opens its network and port, nothing else") {
  TargetPolicy policy =
      withTargets({"127.0.0.1:8080", "10.1.2.0/24", "[::1]:9000", "[fd00::/8]:443"});
  CHECK(refusal(policy, "127.0.0.1", 8080).empty());
  CHECK(refusal(policy, "::ffff:127.0.0.1", 8080).empty()); // the same destination
  CHECK_FALSE(refusal(policy, "127.0.0.1", 8081).empty());
  CHECK_FALSE(refusal(policy, "127.0.0.2", 8080).empty());
  CHECK_FALSE(refusal(policy, "::1", 8080).empty());
  CHECK(refusal(policy, "::1", 9000).empty());
  CHECK(refusal(policy, "10.1.2.200", 1234).empty());
  CHECK_FALSE(refusal(policy, "10.1.3.1", 1234).empty());
  CHECK(refusal(policy, "fd99::1", 443).empty());
  CHECK_FALSE(refusal(policy, "fd99::1", 80).empty());
  CHECK_FALSE(refusal(policy, "fc00::1", 443).empty());
  // A NAT64 form reaches another machine: the IPv4 exception does not cover it.
  CHECK_FALSE(refusal(policy, "64:ff9b::127.0.0.1", 8080).empty());

  TargetPolicy everyPort = withTargets({"127.0.0.0/8"});
  CHECK(refusal(everyPort, "127.9.9.9", 1).empty());
  CHECK_FALSE(refusal(everyPort, "169.254.169.254", 80).empty());
  TargetPolicy mapped = withTargets({"[::ffff:127.0.0.1]:8080"});
  CHECK(refusal(mapped, "127.0.0.1", 8080).empty());
}

TEST_CASE("target policy: --allow-target forms, and what it may never open") {
  AllowedTarget target;
  REQUIRE(parseAllowedTarget("127.0.0.1", &target).isOk());
  CHECK(target.prefix == 32);
  CHECK(target.port == 0);
  REQUIRE(parseAllowedTarget("10.0.0.0/8:3128", &target).isOk());
  CHECK(target.prefix == 8);
  CHECK(target.port == 3128);
  REQUIRE(parseAllowedTarget("[fd00::/8]:443", &target).isOk());
  CHECK(target.prefix == 8);
  CHECK(target.port == 443);
  REQUIRE(parseAllowedTarget("fd00::1", &target).isOk());
  CHECK(target.prefix == 128);
  REQUIRE(parseAllowedTarget("::ffff:127.0.0.1", &target).isOk());
  CHECK(target.network.family() == Poco::Net::AddressFamily::IPv4);
  CHECK(target.prefix == 32);

  for (const char* bad : {"", "localhost:8080", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:x",
                          "10.0.0.0/33", "[::1", "[::1]8080", "::1/129", "1.2.3.4/-1"}) {
    INFO(bad);
    Status status = parseAllowedTarget(bad, &target);
    CHECK(status.code() == ErrorCode::InvalidArgument);
    CHECK(status.message().find("--allow-target") == 0);
  }
  for (const char* never :
       {"169.254.169.254", "169.254.0.0/16", "fe80::1", "0.0.0.0/0", "::/0", "100.100.100.200",
        "224.0.0.1", "255.255.255.255", "[fd00:ec2::254]:80"}) {
    INFO(never);
    Status status = parseAllowedTarget(never, &target);
    CHECK(status.code() == ErrorCode::InvalidArgument);
    CHECK(status.message().find("never reached") != std::string::npos);
  }
}

TEST_CASE("target policy: unrestricted refuses nothing (WebDriver's paths and proxy tests)") {
  TargetPolicy open = TargetPolicy::unrestricted();
  for (const char* any : {"127.0.0.1", "169.254.169.254", "::1", "10.0.0.1", "0.0.0.0"})
    CHECK_MESSAGE(refusal(open, any).empty(), any);
}
