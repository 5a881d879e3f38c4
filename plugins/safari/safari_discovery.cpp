#include "safari_discovery.h"

#include "safari_launch.h"

#include <filesystem>
#include <glob.h>
#include <system_error>
#include <wdhost/helpers.hpp>

namespace wdhost::safari {
namespace {

constexpr uint32_t kVersionTimeoutMs = 10000;
constexpr const char* kDpkgQuery = "/usr/bin/dpkg-query";

// Existing paths matching each pattern, in order.
std::vector<std::string> globAll(const std::vector<std::string>& patterns) {
  std::vector<std::string> found;
  for (const std::string& pattern : patterns) {
    glob_t matches{};
    if (::glob(pattern.c_str(), 0, nullptr, &matches) == 0)
      for (std::size_t i = 0; i < matches.gl_pathc; ++i)
        found.emplace_back(matches.gl_pathv[i]);
    ::globfree(&matches);
  }
  return found;
}

// The version of the Debian package holding `path` (WebKitWebDriver and MiniBrowser have no
// --version that runs without a display), or "" when dpkg does not know it.
std::string packageVersion(const wdhost::Host& host, const std::string& path) {
  if (!wdhost::isExecutable(kDpkgQuery))
    return "";
  std::error_code error;
  std::string real = std::filesystem::canonical(path, error).string();
  if (error)
    return "";
  std::string package =
      packageIn(wdhost::runForOutput(host, {kDpkgQuery, "-S", real}, kVersionTimeoutMs));
  if (package.empty())
    return "";
  return wdhost::extractVersion(wdhost::runForOutput(
      host, {kDpkgQuery, "-W", "--showformat=${Version}\\n", package}, kVersionTimeoutMs));
}

void requireExecutable(const std::string& path, const char* key) {
  if (!path.empty() && !wdhost::isExecutable(path))
    throw wdhost::Error("session not created",
                        std::string("safari.") + key + " " + path + " is not an executable file");
}

std::optional<Install> findGtk(const wdhost::Host& host, const SafariConfig& config) {
  auto driver = wdhost::findExecutable(config.driver, {"WebKitWebDriver"}, {});
  auto browser = wdhost::findExecutable(
      config.binary, {},
      globAll({"/usr/lib/*/webkit2gtk-4.1/MiniBrowser", "/usr/lib/*/webkit2gtk-4.0/MiniBrowser",
               "/usr/lib/*/webkitgtk-6.0/MiniBrowser", "/usr/libexec/webkit2gtk-4.1/MiniBrowser",
               "/usr/libexec/webkit2gtk-4.0/MiniBrowser",
               "/usr/libexec/webkitgtk-6.0/MiniBrowser"}));
  if (!driver || !browser)
    return std::nullopt;
  Install install;
  install.browserName = "webkitgtk-minibrowser";
  install.browserPath = *browser;
  install.browserVersion = packageVersion(host, *browser);
  install.driverName = "WebKitWebDriver";
  install.driverPath = *driver;
  install.driverVersion = packageVersion(host, *driver);
  return install;
}

std::optional<Install> findWpe(const wdhost::Host& host, const SafariConfig& config) {
  auto driver = wdhost::findExecutable(config.driver, {"WPEWebDriver"}, {});
  auto browser = wdhost::findExecutable(config.binary, {"cog"}, {});
  if (!driver || !browser)
    return std::nullopt;
  Install install;
  install.browserName = "wpewebkit-cog";
  install.browserPath = *browser;
  install.browserVersion =
      webkitVersionIn(wdhost::runForOutput(host, {*browser, "--version"}, kVersionTimeoutMs));
  install.driverName = "WPEWebDriver";
  install.driverPath = *driver;
  install.driverVersion = packageVersion(host, *driver);
  if (install.driverVersion.empty())
    install.driverVersion = install.browserVersion;
  return install;
}

} // namespace

Availability Installs::availability() const {
  Availability available;
  available.gtk = gtk.has_value();
  available.wpe = wpe.has_value();
  available.safari = safari.has_value();
  available.xvfb = !xvfbPath.empty();
  if (gtk)
    available.gtkVersion = gtk->browserVersion;
  if (wpe)
    available.wpeVersion = wpe->browserVersion;
  return available;
}

const Install& Installs::forBackend(Backend backend) const {
  const std::optional<Install>& install = backend == Backend::WebKitGtk ? gtk
                                          : backend == Backend::Wpe     ? wpe
                                                                        : safari;
  if (!install)
    throw wdhost::Error("session not created",
                        std::string("no ") + backendName(backend) + " browser is installed");
  return *install;
}

Installs discoverLinux(const wdhost::Host& host, const SafariConfig& config) {
  requireExecutable(config.driver, "driver");
  requireExecutable(config.binary, "binary");
  bool pinned = !config.driver.empty() || !config.binary.empty();
  Installs installs;
  if (!pinned || config.display != "wpe")
    installs.gtk = findGtk(host, config);
  if (!pinned || config.display == "wpe")
    installs.wpe = findWpe(host, config);
  if (auto xvfb = wdhost::findExecutable("", {"Xvfb"}, {"/usr/bin/Xvfb"}))
    installs.xvfbPath = *xvfb;
  if (!installs.gtk && !installs.wpe)
    throw wdhost::Error(
        "session not created",
        pinned ? "safari.driver/safari.binary do not make a WebKit pair (WebKitWebDriver with "
                 "MiniBrowser, or with safari.display=wpe WPEWebDriver with cog)"
               : "no WebKit was found: install WebKitGTK's driver and MiniBrowser (Debian: "
                 "webkit2gtk-driver, plus xvfb to run it headless) or the WPE port (Debian: "
                 "wpewebkit-driver cog)");
  return installs;
}

Installs discoverMac(const wdhost::Host& host, const SafariConfig& config) {
  requireExecutable(config.driver, "driver");
  auto driver = wdhost::findExecutable(config.driver, {"safaridriver"}, {"/usr/bin/safaridriver"});
  if (!driver)
    throw wdhost::Error("session not created",
                        "safaridriver was not found; it ships with Safari in /usr/bin (run "
                        "`safaridriver --enable` once) or set safari.driver");
  Installs installs;
  Install install;
  install.browserName = "safari";
  install.browserPath = config.binary.empty() ? "/Applications/Safari.app" : config.binary;
  install.driverName = "safaridriver";
  install.driverPath = *driver;
  // "Included with Safari 17.0 (19616.1.27.211.1)": the first version is Safari's.
  install.driverVersion = wdhost::versionOf(host, *driver, kVersionTimeoutMs);
  install.browserVersion = install.driverVersion;
  installs.safari = install;
  return installs;
}

} // namespace wdhost::safari
