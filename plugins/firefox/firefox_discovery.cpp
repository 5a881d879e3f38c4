#include "firefox_discovery.h"

#include <wdhost/helpers.hpp>

namespace wdhost::firefox {
namespace {

constexpr uint32_t kVersionTimeoutMs = 20000;

} // namespace

Mode chooseMode(const FirefoxConfig& config, bool haveDriver) {
  if (config.mode == Mode::Marionette)
    return Mode::Marionette;
  if (haveDriver)
    return Mode::Geckodriver;
  if (config.mode == Mode::Geckodriver)
    throw wdhost::Error("session not created",
                        config.driver.empty()
                            ? "firefox.mode=geckodriver but geckodriver was not found on PATH; "
                              "install it or set --plugin-option firefox.driver=PATH"
                            : "firefox.driver " + config.driver + " is not an executable file");
  return Mode::Marionette;
}

FirefoxInstall discoverFirefox(const wdhost::Host& host, const FirefoxConfig& config) {
  FirefoxInstall install;
  auto browser =
      wdhost::findExecutable(config.binary, {"firefox-esr", "firefox"},
                             {"/usr/lib/firefox-esr/firefox-esr", "/usr/lib/firefox/firefox"});
  if (!browser)
    throw wdhost::Error("session not created",
                        config.binary.empty()
                            ? "no Firefox was found; install one (Debian: firefox-esr) or set "
                              "--plugin-option firefox.binary=PATH"
                            : "firefox.binary " + config.binary + " is not an executable file");
  install.browserPath = *browser;

  std::optional<std::string> driver;
  if (config.mode != Mode::Marionette)
    driver = wdhost::findExecutable(config.driver, {"geckodriver"}, {});
  if (!driver && !config.driver.empty() && config.mode == Mode::Auto)
    throw wdhost::Error("session not created",
                        "firefox.driver " + config.driver + " is not an executable file");
  install.mode = chooseMode(config, driver.has_value());
  if (install.mode == Mode::Geckodriver) {
    install.driverPath = *driver;
    install.driverVersion = wdhost::versionOf(host, install.driverPath, kVersionTimeoutMs);
  }

  if (config.xvfb) {
    if (install.mode != Mode::Marionette)
      throw wdhost::Error("session not created",
                          "firefox.display=xvfb needs mode marionette: geckodriver starts "
                          "Firefox on the host's own display");
    auto xvfb = wdhost::findExecutable("", {"Xvfb"}, {"/usr/bin/Xvfb"});
    if (!xvfb)
      throw wdhost::Error("session not created",
                          "firefox.display=xvfb needs Xvfb (apt install xvfb)");
    install.xvfbPath = *xvfb;
  }
  install.browserVersion = wdhost::versionOf(host, install.browserPath, kVersionTimeoutMs);
  if (install.browserVersion.empty())
    throw wdhost::Error("session not created",
                        install.browserPath + " --version did not print a version");
  return install;
}

} // namespace wdhost::firefox
