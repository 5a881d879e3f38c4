// The firefox plugin's settings, from the host's init() config JSON.
#pragma once

#include <string>
#include <string_view>

namespace wdhost::firefox {

// How sessions are served: through geckodriver, or by the plugin speaking Marionette itself.
enum class Mode { Auto, Geckodriver, Marionette };

// Settings of the firefox plugin.
struct FirefoxConfig {
  std::string binary;                // Firefox path; "" = search PATH and the usual places
  std::string driver;                // geckodriver path; "" = search PATH
  bool headless = true;              // headless unless the host shows windows
  bool xvfb = false;                 // display "xvfb": each session on a private Xvfb, recordable
  Mode mode = Mode::Auto;            // auto = geckodriver when found, else Marionette
  unsigned startupTimeoutMs = 60000; // how long Firefox (or geckodriver) may take to be ready
};

// Parses the config object; throws wdhost::Error("invalid argument") on a bad or unknown key.
FirefoxConfig parseFirefoxConfig(std::string_view json);

// "auto", "geckodriver" or "marionette".
const char* modeName(Mode mode);

} // namespace wdhost::firefox
