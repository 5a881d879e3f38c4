// Finding Firefox (and geckodriver when there is one), with their versions.
#pragma once

#include "firefox_config.h"

#include <string>
#include <wdhost/plugin.hpp>

namespace wdhost::firefox {

// What was found installed, and the mode sessions will use.
struct FirefoxInstall {
  std::string browserPath;      // absolute path of the Firefox binary
  std::string browserVersion;   // "153.7.0"
  std::string driverPath;       // absolute path of geckodriver, "" when none
  std::string driverVersion;    // "0.36.0", "" when none
  Mode mode = Mode::Marionette; // Geckodriver or Marionette, never Auto
  std::string xvfbPath;         // Xvfb, with display "xvfb" (Marionette mode only); else ""
};

// Finds Firefox and geckodriver (config overrides first), asks each for its version and picks
// the mode. Throws wdhost::Error("session not created") naming what is missing and how to set it.
FirefoxInstall discoverFirefox(const wdhost::Host& host, const FirefoxConfig& config);

// The mode for `config` when geckodriver was (`haveDriver`) or was not found; throws
// wdhost::Error("session not created") when geckodriver is required but missing.
Mode chooseMode(const FirefoxConfig& config, bool haveDriver);

} // namespace wdhost::firefox
