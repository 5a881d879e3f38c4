// Parsing of proxy URLs: scheme, optional percent-encoded credentials, host and required port.
#include "proxy/upstream_proxy.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>
#include <cctype>

namespace wdh {
namespace {

constexpr std::string_view kForms =
    "expected http://[user:password@]host:port, socks4://[user@]host:port or "
    "socks5://[user:password@]host:port";

Status invalid(std::string_view what) {
  return Status(ErrorCode::InvalidArgument,
                "proxy URL " + std::string(what) + "; " + std::string(kForms));
}

// `in` with %XX escapes decoded (Poco's URI rules); false for a malformed escape.
bool percentDecode(std::string_view in, std::string* out) {
  out->clear();
  try {
    Poco::URI::decode(std::string(in), *out);
  } catch (const Poco::Exception&) {
    return false;
  }
  return true;
}

bool validHostName(std::string_view host) {
  if (host.empty() || host.size() > 253)
    return false;
  for (char c : host) {
    unsigned char u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '-' && c != '.' && c != '_')
      return false;
  }
  return true;
}

bool validIpv6(std::string_view host) {
  if (host.empty() || host.size() > 45)
    return false;
  for (char c : host) {
    if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.')
      return false;
  }
  return true;
}

} // namespace

Status parseUpstreamProxy(std::string_view url, UpstreamProxy* out) {
  UpstreamProxy result;
  size_t sep = url.find("://");
  if (sep == std::string_view::npos)
    return invalid("has no scheme");
  std::string scheme(url.substr(0, sep));
  for (char& c : scheme)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme == "http")
    result.kind = UpstreamProxy::Kind::Http;
  else if (scheme == "socks4")
    result.kind = UpstreamProxy::Kind::Socks4;
  else if (scheme == "socks5")
    result.kind = UpstreamProxy::Kind::Socks5;
  else
    return invalid("has an unsupported scheme \"" + scheme + "\"");

  std::string_view rest = url.substr(sep + 3);
  if (!rest.empty() && rest.back() == '/')
    rest.remove_suffix(1);
  size_t at = rest.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    size_t colon = userinfo.find(':');
    std::string_view user = userinfo.substr(0, colon);
    std::string_view pass =
        colon == std::string_view::npos ? std::string_view() : userinfo.substr(colon + 1);
    if (!percentDecode(user, &result.user) || !percentDecode(pass, &result.password))
      return invalid("has a bad %-escape in its credentials");
    if (result.user.empty())
      return invalid("has credentials without a user name");
    if (result.kind == UpstreamProxy::Kind::Socks4 && colon != std::string_view::npos)
      return invalid("gives a password, which socks4 cannot carry");
  }
  if (rest.find_first_of("/?#") != std::string_view::npos)
    return invalid("has something after the port");

  std::string_view host;
  std::string_view portText;
  if (!rest.empty() && rest.front() == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos)
      return invalid("has an unclosed [");
    host = rest.substr(1, close - 1);
    if (!validIpv6(host))
      return invalid("has a bad IPv6 address");
    if (close + 1 >= rest.size() || rest[close + 1] != ':')
      return invalid("has no port");
    portText = rest.substr(close + 2);
  } else {
    size_t colon = rest.rfind(':');
    if (colon == std::string_view::npos)
      return invalid("has no port");
    host = rest.substr(0, colon);
    portText = rest.substr(colon + 1);
    if (!validHostName(host))
      return invalid("has a bad host name");
  }
  if (portText.empty() || portText.size() > 5)
    return invalid("has a bad port");
  unsigned port = 0;
  for (char c : portText) {
    if (c < '0' || c > '9')
      return invalid("has a bad port");
    port = port * 10 + static_cast<unsigned>(c - '0');
  }
  if (port == 0 || port > 65535)
    return invalid("has a port out of range 1-65535");
  result.host = std::string(host);
  result.port = static_cast<uint16_t>(port);
  *out = std::move(result);
  return Status::ok();
}

} // namespace wdh
