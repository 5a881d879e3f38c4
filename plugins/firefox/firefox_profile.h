// A fresh Firefox profile for automation: the prefs of its user.js and the command line.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace wdhost::firefox {

// A preference: its name and the JavaScript literal of its value ("false", "0", "\"x\"").
using Pref = std::pair<std::string, std::string>;

// The prefs wdhost sets so Firefox runs unattended and quiet: no updates, telemetry, first-run
// pages, captive portal or connectivity checks, safebrowsing or remote settings; a blank start
// page; Marionette on a port Firefox picks (written to <profile>/MarionetteActivePort).
std::vector<Pref> automationPrefs();

// The user.js text: automationPrefs(), then marionette.log.level when `logLevel` is set, then
// the user's prefs (later lines win).
std::string userJs(const std::vector<Pref>& userPrefs, const std::string& logLevel);

// The profile's chrome/userChrome.css: lifts Firefox's minimum window size, so that a window
// can be sized like a phone's (automationPrefs() makes Firefox read it).
std::string windowStylesheet();

// One `user_pref("name", value);` line.
std::string userPrefLine(const Pref& pref);

// Firefox's argv for a Marionette session: -marionette, -no-remote, -profile DIR, -headless
// (when `headless` and the user's args do not already say so), then the user's args.
std::vector<std::string> firefoxArgv(const std::string& binary, const std::string& profileDir,
                                     const std::vector<std::string>& userArgs, bool headless);

// Environment entries that keep Firefox from reporting crashes or nagging, then `userEnv`.
std::vector<std::string> firefoxEnv(const std::vector<std::string>& userEnv);

} // namespace wdhost::firefox
