// Which WebKit backend and which display a session gets: WebKitGTK's MiniBrowser on a private
// Xvfb or on an X display, the WPE port (headless), or Safari itself on macOS.
#pragma once

#include "safari_config.h"

#include <string>
#include <string_view>

namespace wdhost::safari {

// The browser a session runs.
enum class Backend { WebKitGtk, Wpe, Safari };

// Where the browser draws.
enum class DisplayMode {
  Xvfb,     // a private Xvfb started for the session (MiniBrowser has no headless mode)
  XDisplay, // an existing X display: $DISPLAY or safari.display=":N"
  Headless, // no display needed: WPE's headless platform
  Native    // macOS: Safari's own windows
};

// What is installed, as discovery found it.
struct Availability {
  bool gtk = false;       // WebKitWebDriver and MiniBrowser
  bool wpe = false;       // WPEWebDriver and cog
  bool xvfb = false;      // Xvfb
  bool safari = false;    // safaridriver (macOS)
  std::string gtkVersion; // WebKitGTK version, "2.50.6", or ""
  std::string wpeVersion; // WPE WebKit version, "2.38.6", or ""
};

// What the client asked for that bears on the backend.
struct BackendRequest {
  std::string backend; // "", "webkitgtk" or "wpe" (from browserName or vendor options)
  std::string version; // browserVersion or ""
};

// The decision for one session.
struct Plan {
  Backend backend = Backend::WebKitGtk; // which browser
  DisplayMode display = DisplayMode::Xvfb;
  std::string xDisplay; // ":N" when display is XDisplay
};

// "webkitgtk", "wpe" or "safari".
const char* backendName(Backend backend);

// "xvfb", "display", "wpe" (headless) or "native".
const char* displayModeName(DisplayMode mode);

// True when installed `version` satisfies `wanted` (exact, or a prefix of whole components).
bool versionMatches(std::string_view wanted, std::string_view version);

// Chooses the backend and display for a Linux session: the request's backend (or the one whose
// version matches) first; then safari.display; then auto: $DISPLAY when windows are shown,
// else WPE when installed, else MiniBrowser on a private Xvfb. Throws
// wdhost::Error("session not created") saying what to install when nothing fits.
Plan chooseLinuxPlan(const SafariConfig& config, const Availability& available,
                     std::string_view hostDisplay, const BackendRequest& request);

} // namespace wdhost::safari
