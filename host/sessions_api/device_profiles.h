// The devices a sessions-API session can present, in one table: what a page reads about the
// screen, window, touch and platform of each, taken from real devices of that kind.
#pragma once

#include <string_view>

namespace wdh {

// One device: everything but the browser's own user agent.
struct DeviceProfile {
  std::string_view os;           // "windows", "macos", "linux" or "android"
  bool mobile;                   // a phone: touch, no browser toolbars in the window
  int screenWidth;               // screen.width, CSS pixels
  int screenHeight;              // screen.height, CSS pixels
  int windowWidth;               // the browser window (outerWidth), CSS pixels
  int windowHeight;              // the browser window (outerHeight), CSS pixels
  double pixelRatio;             // devicePixelRatio
  int maxTouchPoints;            // navigator.maxTouchPoints
  std::string_view platform;     // navigator.platform
  std::string_view oscpu;        // Firefox's navigator.oscpu
  std::string_view appVersion;   // Firefox's navigator.appVersion
  std::string_view hintPlatform; // userAgentData.platform and Sec-CH-UA-Platform
  std::string_view hintVersion;  // the platformVersion high-entropy value
  std::string_view architecture; // the architecture high-entropy value
  std::string_view bitness;      // the bitness high-entropy value
  std::string_view model;        // the model high-entropy value ("" on desktops)
};

// The profile for operating system `os` ("" = linux, the host's own) and `mobile`; a phone
// without an os is android. Only combinations checkPresentation() accepts are asked for.
const DeviceProfile& deviceProfile(std::string_view os, bool mobile);

// The languages every session presents: navigator.languages and Accept-Language agree.
constexpr std::string_view kAcceptLanguage = "en-US,en";

} // namespace wdh
