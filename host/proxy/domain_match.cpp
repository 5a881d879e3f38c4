// Whole-label, case-insensitive suffix matching of host names against allowed domains.
#include "proxy/domain_match.h"

#include <cctype>

namespace wdh {

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

} // namespace wdh
