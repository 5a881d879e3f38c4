// What a client may not ask of the host's programs and files: the capabilities every plugin
// declares as guarded in describe() ("guardedCapabilities": a browser binary, its environment, a
// profile, switches that run a program or name a path), refused in one place for every plugin
// unless the operator passed --allow-client-binaries.
#pragma once

#include "core/status.h"

#include <rapidjson/document.h>
#include <string_view>
#include <vector>
#include <wdhost/description.hpp>

namespace wdh {

// True when `arg`, one argument of a command-line array, sets a switch `rule` refuses (in
// "--x=v", "--x", "-x" or chromedriver's bare "x=v" form; see wdhost::GuardedSwitches).
bool isGuardedSwitch(std::string_view arg, const wdhost::GuardedSwitches& rule);

// True when `text` matches `pattern`, where '*' matches any run of characters.
bool globMatches(std::string_view pattern, std::string_view text, bool ignoreCase = false);

// The guarded capabilities of every loaded plugin, applied to a client's capabilities.
class ClientCapabilityPolicy {
public:
  // Refuses what any of `rules` guards, unless `allowed` (--allow-client-binaries).
  ClientCapabilityPolicy(std::vector<wdhost::GuardedCapabilities> rules, bool allowed);

  // Ok, or InvalidArgument naming the first guarded capability in `caps` (one merged
  // capability set of a client's New Session) and the option that would allow it.
  Status check(const rapidjson::Value& caps) const;

  // True when clients may send guarded capabilities (--allow-client-binaries).
  bool allowed() const noexcept { return allowed_; }

private:
  std::vector<wdhost::GuardedCapabilities> rules_;
  bool allowed_;
};

} // namespace wdh
