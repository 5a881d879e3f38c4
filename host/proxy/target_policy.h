// Which addresses the host may connect to on a sessions-API client's behalf (plain requests,
// their redirects, the session browser's forwarding proxy): no loopback, link-local, cloud
// metadata, unspecified, multicast or broadcast address, and private ranges only when the
// operator allows them. Pure: it classifies addresses, it resolves and connects nothing.
#pragma once

#include "core/status.h"

#include <Poco/Net/IPAddress.h>
#include <Poco/Net/SocketAddress.h>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wdh {

// What an address is, as far as the sessions API's reach goes.
enum class AddressKind {
  Public,      // anything else: may be reached
  Private,     // RFC 1918, CGNAT 100.64/10, 198.18/15, IPv6 ULA fc00::/7 and site-local fec0::/10
  Loopback,    // 127/8, ::1: this machine
  LinkLocal,   // 169.254/16 (most clouds' metadata service), fe80::/10
  Metadata,    // cloud metadata outside link-local: 100.100.100.200, fd00:ec2::254
  Unspecified, // 0/8, ::: connecting to it reaches this machine
  Multicast,   // 224/4, ff00::/8
  Broadcast,   // 255.255.255.255
  Reserved,    // 240/4, 192.0.0/24, IPv4-compatible ::/96, 100::/64
};

// The kind of `address`. IPv4-mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::/96) and 6to4
// (2002::/16) addresses are the kind of the IPv4 address they carry.
AddressKind classifyAddress(const Poco::Net::IPAddress& address);

// "loopback", "link-local", ... for messages.
std::string_view addressKindName(AddressKind kind);

// One --allow-target: a network (an address and a prefix length) and one port or every port.
struct AllowedTarget {
  Poco::Net::IPAddress network; // IPv4-mapped forms are kept as IPv4
  unsigned prefix = 32;         // bits of `network` that must match
  std::uint16_t port = 0;       // 0 = every port
};

// Parses "ADDR", "ADDR:PORT", "[IPV6]:PORT", "NET/BITS" or "NET/BITS:PORT" ("[NET/BITS]:PORT"
// for IPv6). InvalidArgument says what is wrong, also for networks the policy never opens
// (link-local, metadata, unspecified, multicast, broadcast, reserved).
Status parseAllowedTarget(std::string_view text, AllowedTarget* out);

// The policy itself; a value, handed to whatever dials for the sessions API.
struct TargetPolicy {
  bool restricted = true;             // false: every address may be reached
  bool allowPrivate = false;          // --allow-private-targets
  std::vector<AllowedTarget> allowed; // --allow-target: private or loopback networks opened

  // A policy that refuses nothing (WebDriver's own paths, tests of the proxy machinery).
  static TargetPolicy unrestricted();
  // "" when `address` may be connected to; else why not, naming the address and what (if
  // anything) would allow it.
  std::string refusal(const Poco::Net::SocketAddress& address) const;
};

} // namespace wdh
