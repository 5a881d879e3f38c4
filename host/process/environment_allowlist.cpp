#include "process/environment_allowlist.h"

#include <algorithm>

namespace wdh {
namespace {

bool matches(std::string_view pattern, std::string_view name) {
  if (!pattern.empty() && pattern.back() == '*') {
    pattern.remove_suffix(1);
    return name.substr(0, pattern.size()) == pattern;
  }
  if (!pattern.empty() && pattern.front() == '*') {
    pattern.remove_prefix(1);
    return name.size() >= pattern.size() && name.substr(name.size() - pattern.size()) == pattern;
  }
  return name == pattern;
}

} // namespace

const std::vector<std::string>& defaultPassedEnvironment() {
  static const std::vector<std::string> names = {
      "PATH",   "HOME",   "USER",          "LOGNAME",         "LANG",        "LANGUAGE",
      "LC_*",   "TZ",     "DISPLAY",       "WAYLAND_DISPLAY", "XAUTHORITY",  "XDG_*",
      "DBUS_*", "TMPDIR", "SSL_CERT_FILE", "SSL_CERT_DIR",    "*SAN_OPTIONS"};
  return names;
}

bool isPassEnvPattern(std::string_view pattern) {
  if (!pattern.empty() && pattern.back() == '*')
    pattern.remove_suffix(1);
  if (pattern.empty() || (pattern.front() >= '0' && pattern.front() <= '9'))
    return false;
  return std::all_of(pattern.begin(), pattern.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

EnvironmentAllowlist::EnvironmentAllowlist(std::vector<std::string> extra)
    : patterns_(defaultPassedEnvironment()) {
  patterns_.insert(patterns_.end(), extra.begin(), extra.end());
}

bool EnvironmentAllowlist::allows(std::string_view name) const {
  return std::any_of(patterns_.begin(), patterns_.end(),
                     [name](const std::string& pattern) { return matches(pattern, name); });
}

} // namespace wdh
