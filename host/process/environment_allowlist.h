// Which of the host's environment variables its children (guards, drivers, browsers) inherit:
// an allowlist, so that the host's secrets (tokens, cloud credentials) never reach a browser's
// /proc/<pid>/environ or its crash dumps.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace wdh {

// The names children inherit by default: PATH, HOME, USER, LOGNAME, LANG, LANGUAGE, LC_*, TZ,
// DISPLAY, WAYLAND_DISPLAY, XAUTHORITY, XDG_*, DBUS_*, TMPDIR, SSL_CERT_FILE, SSL_CERT_DIR and
// the sanitizers' *SAN_OPTIONS.
const std::vector<std::string>& defaultPassedEnvironment();

// True when `pattern` can extend the allowlist (--pass-env): a variable name of letters, digits
// and '_', optionally ending in '*' (a prefix: "MYAPP_*").
bool isPassEnvPattern(std::string_view pattern);

// The allowlist: the defaults plus what the operator added. Immutable, so thread-safe.
class EnvironmentAllowlist {
public:
  // The defaults and every pattern of `extra` (each isPassEnvPattern).
  explicit EnvironmentAllowlist(std::vector<std::string> extra = {});

  // True when a child inherits the host's variable `name`.
  bool allows(std::string_view name) const;

private:
  std::vector<std::string> patterns_; // "NAME", "PREFIX*" or "*SUFFIX"
};

} // namespace wdh
