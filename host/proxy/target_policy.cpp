// Address classes from the IANA special-purpose registries (RFC 6890 and its updates), on raw
// bytes so that every IPv6 form of an IPv4 address is seen for what it carries.
#include "proxy/target_policy.h"

#include <arpa/inet.h>
#include <array>
#include <cstring>
#include <netinet/in.h>

namespace wdh {
namespace {

using Bytes4 = std::array<unsigned char, 4>;
using Bytes16 = std::array<unsigned char, 16>;

AddressKind classify4(const Bytes4& a) {
  if (a[0] == 0)
    return AddressKind::Unspecified; // "this network"; connecting to 0.0.0.0 reaches this host
  if (a[0] == 127)
    return AddressKind::Loopback;
  if (a[0] == 169 && a[1] == 254)
    return AddressKind::LinkLocal;
  if (a == Bytes4{100, 100, 100, 200})
    return AddressKind::Metadata; // Alibaba Cloud's metadata service, inside CGNAT space
  if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168) ||
      (a[0] == 100 && (a[1] & 0xc0) == 64) || (a[0] == 198 && (a[1] & 0xfe) == 18))
    return AddressKind::Private;
  if (a[0] == 192 && a[1] == 0 && a[2] == 0)
    return AddressKind::Reserved; // IETF protocol assignments (DS-Lite, NAT64 discovery, ...)
  if (a[0] >= 224 && a[0] <= 239)
    return AddressKind::Multicast;
  if (a == Bytes4{255, 255, 255, 255})
    return AddressKind::Broadcast;
  if (a[0] >= 240)
    return AddressKind::Reserved;
  return AddressKind::Public;
}

bool zeros(const Bytes16& a, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to; ++i)
    if (a[i] != 0)
      return false;
  return true;
}

Bytes4 ipv4At(const Bytes16& a, std::size_t at) {
  return Bytes4{a[at], a[at + 1], a[at + 2], a[at + 3]};
}

bool isMapped(const Bytes16& a) {
  return zeros(a, 0, 10) && a[10] == 0xff && a[11] == 0xff;
}

AddressKind classify6(const Bytes16& a) {
  if (isMapped(a))
    return classify4(ipv4At(a, 12));
  if (zeros(a, 0, 16))
    return AddressKind::Unspecified;
  if (zeros(a, 0, 15) && a[15] == 1)
    return AddressKind::Loopback;
  if (zeros(a, 0, 12))
    return AddressKind::Reserved; // IPv4-compatible (deprecated): never a real destination
  if (a[0] == 0x00 && a[1] == 0x64 && a[2] == 0xff && a[3] == 0x9b && zeros(a, 4, 12))
    return classify4(ipv4At(a, 12)); // NAT64 well-known prefix 64:ff9b::/96
  if (a[0] == 0x00 && a[1] == 0x64 && a[2] == 0xff && a[3] == 0x9b && a[4] == 0 && a[5] == 1)
    return AddressKind::Private; // local-use NAT64 64:ff9b:1::/48
  if (a[0] == 0x20 && a[1] == 0x02)
    return classify4(ipv4At(a, 2)); // 6to4
  if (a[0] == 0x01 && a[1] == 0x00 && zeros(a, 2, 8))
    return AddressKind::Reserved; // discard-only 100::/64
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
    return AddressKind::LinkLocal;
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0)
    return AddressKind::Private; // site-local (deprecated)
  if (a == Bytes16{0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54})
    return AddressKind::Metadata; // AWS's metadata service over IPv6 (fd00:ec2::254)
  if ((a[0] & 0xfe) == 0xfc)
    return AddressKind::Private; // unique local fc00::/7
  if (a[0] == 0xff)
    return AddressKind::Multicast;
  return AddressKind::Public;
}

template <std::size_t N>
std::array<unsigned char, N> bytesOf(const Poco::Net::IPAddress& address) {
  std::array<unsigned char, N> out{};
  std::memcpy(out.data(), address.addr(), N);
  return out;
}

// IPv4-mapped IPv6 as the IPv4 address it is (a dual-stack socket connects to that address).
Poco::Net::IPAddress unmapped(const Poco::Net::IPAddress& address) {
  if (address.family() != Poco::Net::AddressFamily::IPv6)
    return address;
  Bytes16 a = bytesOf<16>(address);
  if (!isMapped(a))
    return address;
  in_addr v4{};
  std::memcpy(&v4, a.data() + 12, 4);
  return Poco::Net::IPAddress(&v4, sizeof v4);
}

bool covers(const AllowedTarget& allowed, const Poco::Net::IPAddress& address, std::uint16_t port) {
  if (allowed.port != 0 && allowed.port != port)
    return false;
  if (allowed.network.family() != address.family())
    return false;
  const auto* want = static_cast<const unsigned char*>(allowed.network.addr());
  const auto* have = static_cast<const unsigned char*>(address.addr());
  unsigned bits = allowed.prefix;
  for (std::size_t i = 0; bits > 0; ++i, bits = bits >= 8 ? bits - 8 : 0) {
    unsigned mask = bits >= 8 ? 0xffu : (0xffu << (8 - bits)) & 0xffu;
    if ((want[i] & mask) != (have[i] & mask))
      return false;
  }
  return true;
}

bool neverOpened(AddressKind kind) {
  return kind != AddressKind::Public && kind != AddressKind::Private &&
         kind != AddressKind::Loopback;
}

Status badTarget(std::string_view text, const std::string& why) {
  return Status(ErrorCode::InvalidArgument, "--allow-target '" + std::string(text) + "': " + why);
}

bool parseNumber(std::string_view digits, unsigned max, unsigned* out) {
  if (digits.empty() || digits.size() > 5)
    return false;
  unsigned value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9')
      return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > max)
    return false;
  *out = value;
  return true;
}

// A dotted-quad IPv4 or an IPv6 literal, strictly (inet_pton: no "127.1", no scope).
bool parseLiteral(const std::string& text, Poco::Net::IPAddress* out) {
  in_addr v4{};
  in6_addr v6{};
  if (::inet_pton(AF_INET, text.c_str(), &v4) == 1)
    *out = Poco::Net::IPAddress(&v4, sizeof v4);
  else if (::inet_pton(AF_INET6, text.c_str(), &v6) == 1)
    *out = Poco::Net::IPAddress(&v6, sizeof v6);
  else
    return false;
  return true;
}

} // namespace

AddressKind classifyAddress(const Poco::Net::IPAddress& address) {
  if (address.family() == Poco::Net::AddressFamily::IPv4)
    return classify4(bytesOf<4>(address));
  return classify6(bytesOf<16>(address));
}

std::string_view addressKindName(AddressKind kind) {
  switch (kind) {
  case AddressKind::Public:
    return "public";
  case AddressKind::Private:
    return "private";
  case AddressKind::Loopback:
    return "loopback";
  case AddressKind::LinkLocal:
    return "link-local";
  case AddressKind::Metadata:
    return "cloud metadata";
  case AddressKind::Unspecified:
    return "unspecified";
  case AddressKind::Multicast:
    return "multicast";
  case AddressKind::Broadcast:
    return "broadcast";
  case AddressKind::Reserved:
    return "reserved";
  }
  return "unknown";
}

Status parseAllowedTarget(std::string_view text, AllowedTarget* out) {
  std::string_view address = text;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    std::size_t close = text.find(']');
    if (close == std::string_view::npos)
      return badTarget(text, "a '[' without its ']'");
    address = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':')
        return badTarget(text, "expected ':PORT' after ']'");
      port = rest.substr(1);
    }
  } else if (std::size_t colon = text.find(':');
             colon != std::string_view::npos &&
             text.find(':', colon + 1) == std::string_view::npos) {
    address = text.substr(0, colon); // IPv4 with a port (IPv6 with a port takes brackets)
    port = text.substr(colon + 1);
  }
  std::string_view bits;
  if (std::size_t slash = address.find('/'); slash != std::string_view::npos) {
    bits = address.substr(slash + 1);
    address = address.substr(0, slash);
  }
  Poco::Net::IPAddress parsed;
  if (!parseLiteral(std::string(address), &parsed))
    return badTarget(text,
                     "expected an IP address, e.g. 127.0.0.1:8080, 10.1.2.0/24 or [::1]:8080");
  AllowedTarget target;
  unsigned width = parsed.family() == Poco::Net::AddressFamily::IPv4 ? 32 : 128;
  target.prefix = width;
  if (!bits.empty() && !parseNumber(bits, width, &target.prefix))
    return badTarget(text, "the prefix length must be 0.." + std::to_string(width));
  unsigned number = 0;
  if (!port.empty() && (!parseNumber(port, 65535, &number) || number == 0))
    return badTarget(text, "the port must be 1..65535");
  target.port = static_cast<std::uint16_t>(number);
  target.network = unmapped(parsed);
  if (target.network.family() != parsed.family())
    target.prefix = target.prefix >= 96 ? target.prefix - 96 : 0;
  AddressKind kind = classifyAddress(target.network);
  if (neverOpened(kind))
    return badTarget(text, std::string(addressKindName(kind)) +
                               " addresses are never reached from the sessions API");
  *out = std::move(target);
  return Status::ok();
}

TargetPolicy TargetPolicy::unrestricted() {
  TargetPolicy open;
  open.restricted = false;
  return open;
}

std::string TargetPolicy::refusal(const Poco::Net::SocketAddress& address) const {
  if (!restricted)
    return "";
  Poco::Net::IPAddress host = unmapped(address.host());
  AddressKind kind = classifyAddress(host);
  if (kind == AddressKind::Public)
    return "";
  if (kind == AddressKind::Private && allowPrivate)
    return "";
  if (kind == AddressKind::Private || kind == AddressKind::Loopback)
    for (const AllowedTarget& target : allowed)
      if (covers(target, host, address.port()))
        return "";
  std::string what =
      address.toString() + " is a " + std::string(addressKindName(kind)) + " address";
  switch (kind) {
  case AddressKind::Private:
    return what + "; the sessions API reaches private networks only when the host runs with "
                  "--allow-private-targets (or an --allow-target naming it)";
  case AddressKind::Loopback:
    return what + " (this machine), which the sessions API does not reach "
                  "(--allow-private-targets does not open it; only an --allow-target naming it, "
                  "for testing a site on this machine)";
  case AddressKind::LinkLocal:
  case AddressKind::Metadata:
    return what + " (where cloud metadata services answer), which the sessions API never reaches";
  default:
    return what + ", which the sessions API never reaches";
  }
}

} // namespace wdh
