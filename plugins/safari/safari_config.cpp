#include "safari_config.h"

#include <wdhost/plugin_config.hpp>

namespace wdhost::safari {

bool isXDisplayName(std::string_view display) {
  if (display.size() < 2 || display.front() != ':')
    return false;
  bool dot = false;
  for (std::size_t i = 1; i < display.size(); ++i) {
    char c = display[i];
    if (c == '.' && !dot && i > 1 && i + 1 < display.size())
      dot = true;
    else if (c < '0' || c > '9')
      return false;
  }
  return true;
}

SafariConfig parseSafariConfig(std::string_view json) {
  SafariConfig config;
  wdhost::readPluginConfig("safari", json, [&](const wdhost::ConfigValue& value) {
    if (value.key() == "driver") {
      config.driver = value.text();
    } else if (value.key() == "binary") {
      config.binary = value.text();
    } else if (value.key() == "headless") {
      config.headless = value.flag();
    } else if (value.key() == "display") {
      config.display = value.text();
      if (config.display.empty())
        config.display = "auto";
      if (config.display != "auto" && config.display != "wpe" && config.display != "xvfb" &&
          !isXDisplayName(config.display))
        value.fail("must be auto, wpe, xvfb or an X display such as :1, not '" + config.display +
                   "'");
    } else if (value.key() == "startupTimeoutMs") {
      config.startupTimeoutMs = value.number(600000);
    } else {
      value.unknown("driver, binary, headless, display, startupTimeoutMs");
    }
  });
  return config;
}

} // namespace wdhost::safari
