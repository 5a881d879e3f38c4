// What a sessions-API session presents: user agents per browser, operating system and
// device, and the viewport of a mobile device; and what the page reports it presents.
#pragma once

#include "core/status.h"
#include "sessions_api/webdriver_call.h"

#include <rapidjson/document.h>
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

// What session's page reports about itself (user agent, platform, languages, client hints,
// viewport, window and screen sizes), with the negotiated `capabilities`' browser name, version
// and platform and `mobile` as the device: the "fingerprint" member of sessions.create, as JSON
// text. Read back from the browser, never assumed.
std::string readFingerprint(WebDriverCalls& session, const rapidjson::Value& capabilities,
                            bool mobile);

} // namespace wdh
