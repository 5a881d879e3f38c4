// What a sessions-API session presents: user agents per browser, operating system and
// device, and the viewport of a mobile device.
#pragma once

#include "core/status.h"

#include <string>
#include <string_view>

namespace wdh {

// The platform and device a session should present.
struct Presentation {
  std::string browser;        // "chrome", "firefox" or "safari"
  std::string os;             // "windows", "macos", "linux", "android", "ios"; "" = native
  bool mobile = false;        // a phone-sized touch device
  std::string browserVersion; // the installed version, for the user agent
};

// A mobile viewport: an iPhone-class phone (CSS pixels).
constexpr int kMobileWidth = 390;
constexpr int kMobileHeight = 844;

// Checks that `p` is a combination the browser can present (a phone runs android or ios;
// safari presents only itself here); InvalidArgument saying what is possible otherwise.
Status checkPresentation(const Presentation& p);

// The user agent string that presents `p`; "" when the browser's own should be kept.
std::string userAgentFor(const Presentation& p);

} // namespace wdh
