// moz:firefoxOptions: checked at negotiation, read when a session is launched.
#pragma once

#include <rapidjson/document.h>
#include <string>
#include <string_view>
#include <vector>
#include <wdhost/description.hpp>

namespace wdhost::firefox {

// The vendor capability key.
inline constexpr const char* kOptionsKey = "moz:firefoxOptions";

// Throws wdhost::Error("invalid argument") when moz:firefoxOptions is present but malformed:
// not an object; binary not a string; args not strings; prefs not string/bool/integer values;
// profile not a base64 string; log not an object with a string level; env not strings.
void validateFirefoxOptions(const rapidjson::Value& capabilities);

// What of moz:firefoxOptions reaches the host's programs, files or ports: the binary, its
// environment, a zipped profile, Android devices, prefs that name host paths or programs, and
// the arguments that choose a profile, write files or open a debugging port. The host refuses
// them unless --allow-client-binaries.
wdhost::GuardedCapabilities guardedFirefoxCapabilities();

// moz:firefoxOptions read from validated capabilities (missing parts empty).
struct FirefoxOptions {
  std::string binary;                                     // "" = the discovered Firefox
  std::vector<std::string> args;                          // extra command-line arguments
  std::vector<std::pair<std::string, std::string>> prefs; // name, JS literal of the value
  std::string profileBase64;                              // zipped profile, base64, or ""
  std::string logLevel;                                   // log.level or ""
  std::vector<std::string> env;                           // "NAME=value"
};

// The prefs that make Firefox save every download into `dir` without asking (name, JS literal).
std::vector<std::pair<std::string, std::string>> downloadPrefs(const std::string& dir);

// Reads moz:firefoxOptions out of capabilities (validating them first); with the host's
// "wdhost:downloadDir", its downloadPrefs() come last (they win over the user's).
FirefoxOptions readFirefoxOptions(const rapidjson::Value& capabilities);

// True when `args` already asks for headless ("-headless" or "--headless").
bool hasHeadlessArg(const std::vector<std::string>& args);

// The capabilities parsed from JSON; throws wdhost::Error(code) when not an object.
rapidjson::Document parseCapabilities(std::string_view json, const char* code);

// The capabilities Marionette's WebDriver:NewSession receives: `capabilities` without
// moz:firefoxOptions (applied by the plugin) and browserVersion (matched by the host), and
// webSocketUrl unless it is true.
std::string marionetteCapabilities(std::string_view capabilities);

} // namespace wdhost::firefox
