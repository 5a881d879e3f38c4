// Parsing of proxy URLs: scheme, optional percent-encoded credentials, host and required port.
// The credentials are cut at the last '@' by hand: Poco 1.11's URI cuts a raw '@', '/', '?' or
// '#' in a password elsewhere, and providers hand out such passwords unescaped.
#include "proxy/upstream_proxy.h"

#include "proxy/domain_match.h"

#include <Poco/Exception.h>
#include <Poco/String.h>
#include <Poco/URI.h>

namespace wdh {
namespace {

constexpr std::string_view kForms =
    "expected http://[user:password@]host:port, socks4://[user@]host:port or "
    "socks5://[user:password@]host:port";

Status invalid(std::string_view what) {
  return Status(ErrorCode::InvalidArgument,
                "proxy URL " + std::string(what) + "; " + std::string(kForms));
}

// `in` with %XX escapes decoded; false for a malformed escape.
bool percentDecode(std::string_view in, std::string* out) {
  try {
    Poco::URI::decode(std::string(in), *out);
  } catch (const Poco::Exception&) {
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
  std::string scheme = Poco::toLower(std::string(url.substr(0, sep)));
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
    std::string_view pass =
        colon == std::string_view::npos ? std::string_view() : userinfo.substr(colon + 1);
    if (!percentDecode(userinfo.substr(0, colon), &result.user) ||
        !percentDecode(pass, &result.password))
      return invalid("has a bad %-escape in its credentials");
    if (result.user.empty())
      return invalid("has credentials without a user name");
    if (result.kind == UpstreamProxy::Kind::Socks4 && colon != std::string_view::npos)
      return invalid("gives a password, which socks4 cannot carry");
  }
  if (rest.find_first_of("/?#") != std::string_view::npos)
    return invalid("has something after the port");
  Status s = splitAuthority(std::string(rest), &result.host, &result.port);
  if (!s.isOk())
    return invalid("has " + s.message());
  if (result.port == 0)
    return invalid("has no port");
  *out = std::move(result);
  return Status::ok();
}

} // namespace wdh
