// The part of a chrome session's presentation only DevTools can set: client hints,
// navigator.platform, languages, and a phone's metrics and touch, on the session's tab.
#pragma once

#include "core/status.h"
#include "sessions_api/fingerprint.h"
#include "sessions_api/webdriver_call.h"

#include <string>

namespace wdh {

// Sets `p` on chrome session `id`'s current tab (through chromedriver's /goog/cdp/execute).
// Tabs the page opens later keep only the user agent Chrome was started with. `pinPlatform`
// (for sessions with WebDriver BiDi) also pins navigator.platform with a script run before
// every page's own.
Status presentOnChrome(WebDriverCalls& session, const Presentation& p, bool pinPlatform);

} // namespace wdh
