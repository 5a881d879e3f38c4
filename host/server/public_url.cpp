#include "server/public_url.h"

#include <Poco/Exception.h>
#include <Poco/String.h>
#include <Poco/URI.h>
#include <algorithm>

namespace wdh {
namespace {

// A Host header worth echoing: a name, IPv4 or bracketed IPv6 address, and maybe a port.
bool plainAuthority(std::string_view host) {
  if (host.empty() || host.size() > 255)
    return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == ':' || c == '[' || c == ']' || c == '_';
  });
}

} // namespace

Status checkPublicUrl(const std::string& url) {
  auto bad = [&](const std::string& why) {
    return Status(ErrorCode::InvalidArgument, "--public-url " + url + ": " + why);
  };
  try {
    Poco::URI uri(url);
    if (uri.getScheme() != "http" && uri.getScheme() != "https")
      return bad("use an http:// or https:// URL, e.g. http://grid-node-3:4444");
    if (uri.getHost().empty())
      return bad("it needs a host");
    if (!uri.getUserInfo().empty() || !uri.getRawQuery().empty() || !uri.getFragment().empty())
      return bad("leave out user info, query and fragment");
    return Status::ok();
  } catch (const Poco::Exception& e) {
    return bad(e.displayText());
  }
}

std::string webSocketBase(const std::string& publicUrl, std::string_view hostHeader,
                          std::string_view boundAuthority) {
  if (!publicUrl.empty()) {
    bool secure = Poco::icompare(publicUrl.substr(0, 8), "https://") == 0;
    std::string base = secure ? "wss://" + publicUrl.substr(8) : "ws://" + publicUrl.substr(7);
    while (!base.empty() && base.back() == '/')
      base.pop_back();
    return base;
  }
  if (plainAuthority(hostHeader))
    return "ws://" + std::string(hostHeader);
  return "ws://" + std::string(boundAuthority);
}

} // namespace wdh
