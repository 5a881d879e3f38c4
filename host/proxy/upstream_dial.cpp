// The upstream handshakes: HTTP CONNECT with Basic auth, SOCKS4/4a, SOCKS5 with RFC 1929 auth.
#include "proxy/upstream_dial.h"

#include "http/head_stream.h"
#include "proxy/proxy_request.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/SocketAddress.h>
#include <arpa/inet.h>
#include <array>
#include <cstring>
#include <memory>
#include <netdb.h>
#include <poll.h>
#include <vector>

namespace wdh::proxy {
namespace {

std::string bytePort(uint16_t port) {
  std::string out;
  out += static_cast<char>((port >> 8) & 0xff);
  out += static_cast<char>(port & 0xff);
  return out;
}

Status failure(const UpstreamProxy& upstream, std::string what) {
  return Status(ErrorCode::UnknownError, "upstream proxy " + upstream.host + ":" +
                                             std::to_string(upstream.port) + " " + what);
}

Status httpConnect(const UpstreamProxy& upstream, int fd, const std::string& host, uint16_t port,
                   const IoBounds& bounds, std::string* early) {
  std::string authority = authorityOf(host, port);
  std::string request = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n";
  std::string auth = basicProxyAuthorization(upstream);
  if (!auth.empty())
    request += "Proxy-Authorization: " + auth + "\r\n";
  request += "\r\n";
  Status s = writeAll(fd, request, bounds);
  if (!s.isOk())
    return s;
  std::string head;
  s = readHttpHead(fd, 64 * 1024, bounds, &head, early);
  if (s.code() == ErrorCode::InvalidArgument)
    return failure(upstream, "answered CONNECT with a head over 64 KiB");
  if (!s.isOk())
    return s;
  Poco::Net::HTTPResponse answer;
  try {
    answer.read(headStream(head));
  } catch (const Poco::Exception&) {
    return failure(upstream, "sent a malformed answer to CONNECT");
  }
  int code = answer.getStatus();
  if (code == 407)
    return failure(upstream,
                   auth.empty() ? "requires credentials (407)" : "rejected the credentials (407)");
  if (code / 100 != 2)
    return failure(upstream, "refused CONNECT " + authority + " with " + std::to_string(code));
  return Status::ok();
}

Status socks4Connect(const UpstreamProxy& upstream, int fd, const std::string& host, uint16_t port,
                     const IoBounds& bounds) {
  in_addr v4{};
  bool literal = ::inet_pton(AF_INET, host.c_str(), &v4) == 1;
  std::string request = "\x04\x01" + bytePort(port);
  if (literal)
    request.append(reinterpret_cast<const char*>(&v4), 4);
  else
    request.append("\x00\x00\x00\x01", 4); // SOCKS4a: the upstream resolves the name
  request += upstream.user;
  request += '\0';
  if (!literal) {
    request += host;
    request += '\0';
  }
  Status s = writeAll(fd, request, bounds);
  if (!s.isOk())
    return s;
  std::array<char, 8> reply{};
  s = readExact(fd, reply.data(), reply.size(), bounds);
  if (!s.isOk())
    return s;
  if (reply[1] != 0x5a)
    return failure(upstream, "refused the SOCKS4 request (code " +
                                 std::to_string(static_cast<unsigned char>(reply[1])) + ")");
  return Status::ok();
}

Status socks5Connect(const UpstreamProxy& upstream, int fd, const std::string& host, uint16_t port,
                     const IoBounds& bounds) {
  bool withAuth = !upstream.user.empty();
  if (upstream.user.size() > 255 || upstream.password.size() > 255)
    return failure(upstream, "credentials are too long for SOCKS5 (255 bytes each at most)");
  Status s = writeAll(
      fd, withAuth ? std::string("\x05\x02\x00\x02", 4) : std::string("\x05\x01\x00", 3), bounds);
  if (!s.isOk())
    return s;
  std::array<char, 2> choice{};
  s = readExact(fd, choice.data(), choice.size(), bounds);
  if (!s.isOk())
    return s;
  if (choice[0] != 0x05)
    return failure(upstream, "does not speak SOCKS5");
  if (choice[1] == 0x02 && withAuth) {
    std::string auth = "\x01";
    auth += static_cast<char>(upstream.user.size());
    auth += upstream.user;
    auth += static_cast<char>(upstream.password.size());
    auth += upstream.password;
    s = writeAll(fd, auth, bounds);
    if (!s.isOk())
      return s;
    std::array<char, 2> verdict{};
    s = readExact(fd, verdict.data(), verdict.size(), bounds);
    if (!s.isOk())
      return s;
    if (verdict[1] != 0x00)
      return failure(upstream, "rejected the credentials (SOCKS5)");
  } else if (choice[1] != 0x00) {
    return failure(upstream, withAuth ? "accepts none of the offered SOCKS5 methods"
                                      : "requires credentials (SOCKS5)");
  }

  std::string request("\x05\x01\x00", 3);
  in_addr v4{};
  in6_addr v6{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    request += '\x01';
    request.append(reinterpret_cast<const char*>(&v4), 4);
  } else if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    request += '\x04';
    request.append(reinterpret_cast<const char*>(&v6), 16);
  } else {
    if (host.size() > 255)
      return failure(upstream, "cannot take a host name over 255 bytes");
    request += '\x03'; // domain name: DNS happens at the upstream
    request += static_cast<char>(host.size());
    request += host;
  }
  request += bytePort(port);
  s = writeAll(fd, request, bounds);
  if (!s.isOk())
    return s;
  std::array<char, 5> reply{};
  s = readExact(fd, reply.data(), reply.size(), bounds);
  if (!s.isOk())
    return s;
  if (reply[1] != 0x00)
    return failure(upstream, "refused to connect to " + authorityOf(host, port) + " (SOCKS5 code " +
                                 std::to_string(static_cast<unsigned char>(reply[1])) + ")");
  // Bound address: we already read its first byte (reply[4]); skip the rest and the port.
  size_t remaining = 0;
  switch (reply[3]) {
  case 0x01:
    remaining = 3 + 2;
    break;
  case 0x04:
    remaining = 15 + 2;
    break;
  case 0x03:
    remaining = static_cast<unsigned char>(reply[4]) + 2u;
    break;
  default:
    return failure(upstream, "sent a malformed SOCKS5 reply");
  }
  std::array<char, 260> skip{};
  return readExact(fd, skip.data(), remaining, bounds);
}

} // namespace

std::string basicProxyAuthorization(const UpstreamProxy& upstream) {
  if (upstream.user.empty())
    return "";
  Poco::Net::HTTPRequest request;
  Poco::Net::HTTPBasicCredentials(upstream.user, upstream.password).proxyAuthenticate(request);
  return request.get(Poco::Net::HTTPRequest::PROXY_AUTHORIZATION);
}

namespace {

// One connection attempt to `address`, bounded by `bounds`.
Status connectTo(const Poco::Net::SocketAddress& address, const IoBounds& bounds,
                 Poco::Net::StreamSocket* out) {
  try {
    Poco::Net::StreamSocket socket(address.family());
    socket.connectNB(address);
    Status ready = waitReady(socket.impl()->sockfd(), POLLOUT, bounds);
    if (!ready.isOk())
      return ready;
    if (int err = socket.impl()->socketError())
      return Status(ErrorCode::UnknownError, std::strerror(err));
    socket.setNoDelay(true);
    *out = socket;
    return Status::ok();
  } catch (const Poco::Exception& e) {
    return Status(ErrorCode::UnknownError, e.displayText());
  }
}

} // namespace

Status resolveAllowed(const std::string& host, uint16_t port, const TargetPolicy& policy,
                      std::vector<Poco::Net::SocketAddress>* out) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int err = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (err != 0)
    return Status(ErrorCode::UnknownError, "cannot resolve " + host + ": " + ::gai_strerror(err));
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> owned(found, ::freeaddrinfo);
  std::string refused;
  for (const addrinfo* at = found; at != nullptr; at = at->ai_next) {
    if (at->ai_family != AF_INET && at->ai_family != AF_INET6)
      continue;
    Poco::Net::SocketAddress address(at->ai_addr, static_cast<poco_socklen_t>(at->ai_addrlen));
    std::string why = policy.refusal(address);
    if (why.empty())
      out->push_back(address);
    else if (refused.empty())
      refused = why;
  }
  if (!out->empty())
    return Status::ok();
  if (refused.empty())
    return Status(ErrorCode::UnknownError, host + " has no IPv4 or IPv6 address");
  Poco::Net::IPAddress literal;
  bool named = !Poco::Net::IPAddress::tryParse(host, literal);
  return Status(ErrorCode::InvalidArgument, named ? host + ": " + refused : refused);
}

Status dialTcp(const std::string& host, uint16_t port, const TargetPolicy& policy,
               const IoBounds& bounds, Poco::Net::StreamSocket* out) {
  std::string what = "connect to " + authorityOf(host, port);
  std::vector<Poco::Net::SocketAddress> candidates;
  Status resolved = resolveAllowed(host, port, policy, &candidates);
  if (resolved.code() == ErrorCode::InvalidArgument)
    return resolved;
  if (!resolved.isOk())
    return resolved.withContext(what);
  Status failed;
  for (const Poco::Net::SocketAddress& address : candidates) {
    Status connected = connectTo(address, bounds, out);
    if (connected.isOk())
      return connected;
    failed = connected.withContext(what + " (" + address.toString() + ")");
    if (connected.code() == ErrorCode::Timeout ||
        std::chrono::steady_clock::now() >= bounds.deadline)
      break;
  }
  return failed;
}

const TargetPolicy& upstreamPolicy(const UpstreamProxy& upstream, const TargetPolicy& policy) {
  static const TargetPolicy open = TargetPolicy::unrestricted();
  return upstream.operatorChosen ? open : policy;
}

Status openTunnel(const UpstreamProxy& upstream, const std::string& host, uint16_t port,
                  const TargetPolicy& policy, const IoBounds& bounds, Poco::Net::StreamSocket* out,
                  std::string* early) {
  early->clear();
  if (upstream.kind == UpstreamProxy::Kind::None)
    return dialTcp(host, port, policy, bounds, out);
  Poco::Net::StreamSocket socket;
  Status s =
      dialTcp(upstream.host, upstream.port, upstreamPolicy(upstream, policy), bounds, &socket);
  if (!s.isOk())
    return s.withContext("upstream proxy");
  int fd = socket.impl()->sockfd();
  switch (upstream.kind) {
  case UpstreamProxy::Kind::Http:
    s = httpConnect(upstream, fd, host, port, bounds, early);
    break;
  case UpstreamProxy::Kind::Socks4:
    s = socks4Connect(upstream, fd, host, port, bounds);
    break;
  case UpstreamProxy::Kind::Socks5:
    s = socks5Connect(upstream, fd, host, port, bounds);
    break;
  case UpstreamProxy::Kind::None:
    break;
  }
  if (!s.isOk())
    return s;
  *out = socket;
  return Status::ok();
}

} // namespace wdh::proxy
