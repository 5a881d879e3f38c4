#include "firefox_config.h"

#include <wdhost/plugin_config.hpp>

namespace wdhost::firefox {

const char* modeName(Mode mode) {
  switch (mode) {
  case Mode::Geckodriver:
    return "geckodriver";
  case Mode::Marionette:
    return "marionette";
  case Mode::Auto:
    break;
  }
  return "auto";
}

FirefoxConfig parseFirefoxConfig(std::string_view json) {
  FirefoxConfig config;
  wdhost::readPluginConfig("firefox", json, [&](const wdhost::ConfigValue& value) {
    if (value.key() == "binary") {
      config.binary = value.text();
    } else if (value.key() == "driver") {
      config.driver = value.text();
    } else if (value.key() == "headless") {
      config.headless = value.flag();
    } else if (value.key() == "display") {
      // "xvfb": a window on a private X server per session (the host can record it); else
      // headless (the default) or the host's own display (headless false).
      std::string display = value.text();
      if (display == "xvfb")
        config.xvfb = true;
      else if (display != "headless")
        value.fail("must be headless or xvfb, not " + display);
    } else if (value.key() == "mode") {
      std::string mode = value.text();
      if (mode == "auto")
        config.mode = Mode::Auto;
      else if (mode == "geckodriver")
        config.mode = Mode::Geckodriver;
      else if (mode == "marionette")
        config.mode = Mode::Marionette;
      else
        value.fail("must be auto, geckodriver or marionette, not " + mode);
    } else if (value.key() == "startupTimeoutMs") {
      config.startupTimeoutMs = value.number(600000);
    } else {
      value.unknown("binary, display, driver, headless, mode, startupTimeoutMs");
    }
  });
  if (config.xvfb)
    config.headless = false; // a window, shown on the session's own X server
  return config;
}

} // namespace wdhost::firefox
