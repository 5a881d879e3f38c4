// Finding chromedriver and a Chrome or Chromium binary, with their versions.
#pragma once

#include "chrome_config.h"

#include <string>
#include <wdhost/plugin.hpp>

namespace wdhost::chrome {

// What was found installed.
struct ChromeInstall {
  std::string browserKind;    // "chromium" or "google-chrome"
  std::string browserPath;    // absolute path of the browser binary
  std::string browserVersion; // "156.0.8078.79"
  std::string driverPath;     // absolute path of chromedriver
  std::string driverVersion;  // "156.0.8078.79"
};

// Finds both binaries (config overrides first) and asks each for its version.
// Throws wdhost::Error("session not created") naming what is missing and how to set it.
ChromeInstall discoverChrome(const wdhost::Host& host, const ChromeConfig& config);

} // namespace wdhost::chrome
