#include "chrome_discovery.h"

#include <wdhost/helpers.hpp>

namespace wdhost::chrome {
namespace {

constexpr uint32_t kVersionTimeoutMs = 10000;

} // namespace

ChromeInstall discoverChrome(const wdhost::Host& host, const ChromeConfig& config) {
  ChromeInstall install;
  auto driver = wdhost::findExecutable(
      config.driver, {"chromedriver"},
      {"/usr/lib/chromium/chromedriver", "/usr/lib/chromium-browser/chromedriver"});
  if (!driver)
    throw wdhost::Error("session not created",
                        config.driver.empty()
                            ? "chromedriver was not found on PATH; install it (Debian: "
                              "chromium-driver) or set --plugin-option chrome.driver=PATH"
                            : "chrome.driver " + config.driver + " is not an executable file");
  install.driverPath = *driver;

  // The real Chromium binary rather than Debian's /usr/bin/chromium shell wrapper, so that
  // chromedriver talks to the browser directly.
  auto browser = wdhost::findExecutable(
      config.binary, {},
      {"/usr/lib/chromium/chromium", "/usr/lib/chromium-browser/chromium-browser",
       "/opt/google/chrome/chrome", "/usr/bin/google-chrome-stable", "/usr/bin/google-chrome",
       "/usr/bin/chromium", "/usr/bin/chromium-browser"});
  if (!browser)
    throw wdhost::Error("session not created",
                        config.binary.empty()
                            ? "no Chrome or Chromium was found; install one (Debian: chromium) or "
                              "set --plugin-option chrome.binary=PATH"
                            : "chrome.binary " + config.binary + " is not an executable file");
  install.browserPath = *browser;
  install.browserKind =
      install.browserPath.find("google") != std::string::npos ? "google-chrome" : "chromium";

  install.driverVersion = wdhost::versionOf(host, install.driverPath, kVersionTimeoutMs);
  install.browserVersion = wdhost::versionOf(host, install.browserPath, kVersionTimeoutMs);
  if (install.browserVersion.empty())
    throw wdhost::Error("session not created",
                        install.browserPath + " --version did not print a version");
  return install;
}

} // namespace wdhost::chrome
