// How the vendor drivers and Xvfb are started: their argv and environment (pure builders).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <wdhost/xvfb.hpp>

namespace wdhost::safari {

// WebKitWebDriver or WPEWebDriver on a port DriverSession substitutes for "{port}", loopback only.
std::vector<std::string> webkitDriverArgv(const std::string& driverPath);

// safaridriver on a port DriverSession substitutes for "{port}".
std::vector<std::string> safaridriverArgv(const std::string& driverPath);

// The environment of a Linux driver and its browser: X display (when `xDisplay` is set, with
// GDK_BACKEND=x11), no accessibility bus, and caches, config, data and TMPDIR under `workDir` so
// nothing outlives the session.
std::vector<std::string> webkitDriverEnv(const std::string& xDisplay, const std::string& workDir);

// The directories webkitDriverEnv points into, to be created under `workDir` first.
std::vector<std::string> webkitWorkSubdirs(const std::string& workDir);

// A private Xvfb: the SDK's (kXvfbWidth x kXvfbHeight, its display number on stdout).
using wdhost::kXvfbHeight;
using wdhost::kXvfbWidth;
using wdhost::parseDisplayNumber;
using wdhost::xvfbArgv;

// The WebKit version in `cog --version` output ("0.16.1 (WPE WebKit 2.38.6)" → "2.38.6").
std::string webkitVersionIn(std::string_view output);

// The package name in `dpkg-query -S PATH` output ("libwebkit2gtk-4.1-0:amd64: /usr/..."), or "".
std::string packageIn(std::string_view dpkgSearchOutput);

} // namespace wdhost::safari
