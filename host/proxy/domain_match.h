// Allowed-domain matching for a session's whitelist.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace wdh {

// True when `host` is one of `domains` or a subdomain of one (case-insensitive, whole labels).
bool domainAllowed(std::string_view host, const std::vector<std::string>& domains);

// `name` lower-cased, without a trailing dot, and (for list entries) without "*." or ".".
std::string normalizeDomain(std::string_view name);

} // namespace wdh
