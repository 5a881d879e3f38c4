// The safari plugin's settings, from the host's init() config JSON.
#pragma once

#include <string>
#include <string_view>

namespace wdhost::safari {

// Settings of the safari plugin (--plugin-option safari.KEY=VALUE).
//  driver  WebKitWebDriver, WPEWebDriver or safaridriver; "" = search. On Linux a driver or
//          binary set here pins the backend: WPE's when display=wpe, else WebKitGTK's.
//  binary  MiniBrowser or cog; "" = search next to the driver's WebKit.
//  headless  false (the host shows windows) runs MiniBrowser on $DISPLAY when one is set.
//  display "auto" (default), "wpe" (the WPE port, headless), "xvfb" (MiniBrowser on a private
//          Xvfb per session) or an X display such as ":1" to run MiniBrowser on.
struct SafariConfig {
  std::string driver;                // vendor driver path; "" = search PATH and the usual places
  std::string binary;                // browser path; "" = search
  bool headless = true;              // headless unless the host shows windows
  std::string display = "auto";      // auto, wpe, xvfb or ":N"
  unsigned startupTimeoutMs = 30000; // how long the driver may take to answer /status
};

// True when `display` names an X display: ":N" or ":N.S".
bool isXDisplayName(std::string_view display);

// Parses the config object; throws wdhost::Error("invalid argument") on a bad key or value.
SafariConfig parseSafariConfig(std::string_view json);

} // namespace wdhost::safari
