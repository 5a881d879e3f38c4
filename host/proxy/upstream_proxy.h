// The upstream a forwarding proxy sends traffic through, and the parser of its URL form.
#pragma once

#include "core/status.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace wdh {

// The upstream a forwarding proxy sends traffic through.
struct UpstreamProxy {
  // How to reach the upstream; None connects directly.
  enum class Kind { None, Http, Socks4, Socks5 } kind = Kind::None;
  // Upstream host name or IP literal (IPv6 without brackets).
  std::string host;
  // Upstream port.
  uint16_t port = 0;
  // Credentials (percent-decoded); empty when none.
  std::string user, password;
  // The operator's own (--proxy-pool): its address is not held to the sessions API's target
  // policy (a client's upstream is).
  bool operatorChosen = false;
};

// Parses "http://user:pass@host:port", "socks4://host:port", "socks5://user:pass@host:port".
Status parseUpstreamProxy(std::string_view url, UpstreamProxy* out);

} // namespace wdh
