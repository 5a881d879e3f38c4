// "host:port" through Poco::URI, and whole-label, case-insensitive suffix matching of host
// names against allowed domains.
#include "proxy/domain_match.h"

#include <Poco/Exception.h>
#include <Poco/String.h>
#include <Poco/URI.h>
#include <algorithm>
#include <cctype>

namespace wdh {
namespace {

// Letters, digits, '-', '.', '_'; for a bracketed host, an IPv6 literal's characters.
bool validHost(std::string_view host, bool bracketed) {
  if (host.empty() || host.size() > (bracketed ? 45 : 253))
    return false;
  return std::all_of(host.begin(), host.end(), [bracketed](char c) {
    unsigned char u = static_cast<unsigned char>(c);
    return bracketed ? std::isxdigit(u) || c == ':' || c == '.'
                     : std::isalnum(u) || c == '-' || c == '.' || c == '_';
  });
}

} // namespace

std::string normalizeDomain(std::string_view name) {
  if (name.size() >= 2 && name.substr(0, 2) == "*.")
    name.remove_prefix(2);
  while (!name.empty() && name.front() == '.')
    name.remove_prefix(1);
  while (!name.empty() && name.back() == '.')
    name.remove_suffix(1);
  if (name.size() >= 2 && name.front() == '[' && name.back() == ']')
    name = name.substr(1, name.size() - 2);
  std::string out(name);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool domainAllowed(std::string_view host, const std::vector<std::string>& domains) {
  std::string name = normalizeDomain(host);
  if (name.empty())
    return false;
  for (const std::string& entry : domains) {
    std::string domain = normalizeDomain(entry);
    if (domain.empty())
      continue;
    if (name == domain)
      return true;
    if (name.size() > domain.size() &&
        name.compare(name.size() - domain.size(), domain.size(), domain) == 0 &&
        name[name.size() - domain.size() - 1] == '.')
      return true;
  }
  return false;
}

Status splitAuthority(const std::string& authority, std::string* host, uint16_t* port) {
  Poco::URI uri;
  try {
    uri = Poco::URI("x://" + authority); // a scheme without a default port: the port stays as given
  } catch (const Poco::Exception& e) {
    return Status(ErrorCode::InvalidArgument, "a bad host or port (" + e.message() + ")");
  }
  bool bracketed = !authority.empty() && authority.front() == '[';
  if (!validHost(uri.getHost(), bracketed))
    return Status(ErrorCode::InvalidArgument, bracketed ? "a bad IPv6 address" : "a bad host name");
  // Poco skips text it cannot place (after "]", an empty port); what it read must be all there is.
  if (!uri.getUserInfo().empty() || Poco::icompare(uri.getAuthority(), authority) != 0)
    return Status(ErrorCode::InvalidArgument, "a bad host or port");
  *host = uri.getHost();
  *port = uri.getSpecifiedPort();
  return Status::ok();
}

} // namespace wdh
