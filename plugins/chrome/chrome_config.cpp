#include "chrome_config.h"

#include <wdhost/plugin_config.hpp>

namespace wdhost::chrome {

ChromeConfig parseChromeConfig(std::string_view json) {
  ChromeConfig config;
  wdhost::readPluginConfig("chrome", json, [&](const wdhost::ConfigValue& value) {
    if (value.key() == "driver")
      config.driver = value.text();
    else if (value.key() == "binary")
      config.binary = value.text();
    else if (value.key() == "headless")
      config.headless = value.flag();
    else if (value.key() == "startupTimeoutMs")
      config.startupTimeoutMs = value.number(600000);
    else
      value.unknown("driver, binary, headless, startupTimeoutMs");
  });
  return config;
}

} // namespace wdhost::chrome
