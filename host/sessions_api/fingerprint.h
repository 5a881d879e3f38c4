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

// Checks that `p` is a combination the browser can present (a phone runs android; ios is
// WebKit's alone; safari presents only itself here); InvalidArgument saying what is possible.
Status checkPresentation(const Presentation& p);

// The user agent string that presents `p` (without any headless marker); "" for safari, whose
// own is kept.
std::string userAgentFor(const Presentation& p);

// Chrome's user-agent client hints for `p` (a JSON object: brands, fullVersionList, platform,
// platformVersion, architecture, bitness, model, mobile, wow64), as both chromedriver's
// mobileEmulation.clientHints and DevTools' userAgentMetadata take them.
std::string chromeClientHints(const Presentation& p);

} // namespace wdh
