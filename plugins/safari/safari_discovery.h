// Finding the WebKit drivers and browsers (WebKitGTK, WPE, Safari), Xvfb, and their versions.
#pragma once

#include "safari_backend.h"
#include "safari_config.h"

#include <optional>
#include <string>
#include <wdhost/plugin.hpp>

namespace wdhost::safari {

// One installed driver + browser pair.
struct Install {
  std::string browserName;    // "webkitgtk-minibrowser", "wpewebkit-cog" or "safari"
  std::string browserPath;    // MiniBrowser, cog, or Safari.app
  std::string browserVersion; // the WebKit (or Safari) version, "2.50.6", or ""
  std::string driverName;     // "WebKitWebDriver", "WPEWebDriver" or "safaridriver"
  std::string driverPath;     // absolute path of the driver
  std::string driverVersion;  // its version, or ""
};

// Everything discovery found.
struct Installs {
  std::optional<Install> gtk;    // WebKitWebDriver + MiniBrowser
  std::optional<Install> wpe;    // WPEWebDriver + cog
  std::optional<Install> safari; // safaridriver (macOS)
  std::string xvfbPath;          // Xvfb, or ""

  // The summary the backend choice works from.
  Availability availability() const;
  // The install serving `backend`; throws wdhost::Error("session not created") if none.
  const Install& forBackend(Backend backend) const;
};

// Finds WebKitGTK, WPE and Xvfb (config overrides first, see SafariConfig). Throws
// wdhost::Error("session not created") saying what to install when no WebKit is found.
Installs discoverLinux(const wdhost::Host& host, const SafariConfig& config);

// Finds safaridriver (config override first) and the Safari version it reports.
Installs discoverMac(const wdhost::Host& host, const SafariConfig& config);

} // namespace wdhost::safari
