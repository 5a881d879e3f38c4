// The Selenium Grid 4 node configuration that puts this host behind a Grid as a relay target:
// `wdhost --grid-relay-config` prints it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace wdh {

// One browser this host offers, as a Grid slot stereotype.
struct RelayStereotype {
  std::string browserName;  // "chrome"
  std::string platformName; // "linux"
  bool downloads = false;   // serves se:downloadsEnabled
  std::size_t slots = 1;    // sessions of this browser at once (its plugin's limit)
};

// What the node configuration is made of.
struct RelayTarget {
  std::string url;                          // where the relay node reaches this host
  std::size_t maxSessions = 1;              // the host's --max-sessions
  unsigned sessionTimeout = 200;            // seconds; Grid's idle timeout and relay read timeout
  std::vector<RelayStereotype> stereotypes; // one per browser offered
};

// The URL a relay node beside this host uses: `publicUrl` when set, else http://host:port with a
// wildcard address (0.0.0.0, ::) as loopback. Empty when port is 0 and there is no public URL.
std::string relayUrl(const std::string& publicUrl, const std::string& host, unsigned port);

// The node TOML: [node] (no driver detection, max-sessions = the host's limit, so Grid never
// sends more than the host takes) and [relay] (url, status-endpoint "/status", and one
// max-sessions/stereotype pair per browser, each as many slots as that browser may use).
std::string gridRelayConfig(const RelayTarget& target);

} // namespace wdh
