// Host names: reading "host:port", and allowed-domain matching for a session's whitelist.
#pragma once

#include "core/status.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wdh {

// True when `host` is one of `domains` or a subdomain of one (case-insensitive, whole labels).
bool domainAllowed(std::string_view host, const std::vector<std::string>& domains);

// `name` lower-cased, without a trailing dot, and (for list entries) without "*." or ".".
std::string normalizeDomain(std::string_view name);

// Host (lower-cased, IPv6 without brackets) and port (0 when absent) of exactly "host[:port]",
// read by Poco::URI; otherwise an error naming the problem ("a bad host name", ...).
Status splitAuthority(const std::string& authority, std::string* host, uint16_t* port);

} // namespace wdh
