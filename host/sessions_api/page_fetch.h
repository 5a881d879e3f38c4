// request.get / request.post: load a URL in a session's browser and read back what it got.
#pragma once

#include "core/status.h"
#include "webdriver/session_service.h"

#include <string>

namespace wdh {

// What to load.
struct PageRequest {
  std::string url;      // http(s) URL
  bool post = false;    // request.post: submit postData as a form
  std::string postData; // "a=1&b=2" (form-urlencoded) for post
};

// Loads `request` in session `sessionId` through `service` (re-arming its idle timer) and
// writes the API's "solution" object (JSON) to *solution: response, statusCode (the
// navigation's real HTTP status), currentUrl, userAgent, cookies, cookieString, innerText.
Status fetchPage(SessionService& service, const std::string& sessionId, const PageRequest& request,
                 std::string* solution);

} // namespace wdh
