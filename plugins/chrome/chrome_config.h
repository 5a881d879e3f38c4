// The chrome plugin's settings, from the host's init() config JSON.
#pragma once

#include <string>
#include <string_view>

namespace wdhost::chrome {

// Settings of the chrome plugin.
struct ChromeConfig {
  std::string driver;                // chromedriver path; "" = search PATH and the usual places
  std::string binary;                // Chrome/Chromium path; "" = search
  bool headless = true;              // headless unless the host shows windows
  unsigned startupTimeoutMs = 30000; // how long chromedriver may take to listen
};

// Parses the config object; throws wdhost::Error("invalid argument") on a bad value.
ChromeConfig parseChromeConfig(std::string_view json);

} // namespace wdhost::chrome
