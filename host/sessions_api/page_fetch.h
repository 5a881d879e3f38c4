// request.get / request.post: load a URL in a session's browser and read back what it got.
#pragma once

#include "core/status.h"
#include "webdriver/session_service.h"

#include <string>
#include <utility>
#include <vector>

namespace wdh {

// A cookie to set before the page loads.
struct PageCookie {
  std::string name;   // cookie name
  std::string value;  // cookie value
  std::string domain; // "" = the page's host
  std::string path;   // "" = "/"
};

// What to load.
struct PageRequest {
  std::string url;                                          // http(s) URL
  bool post = false;                                        // request.post: submit postData
  std::string postData;                                     // "a=1&b=2" (form-urlencoded)
  std::vector<PageCookie> cookies;                          // set on the URL's site first
  std::vector<std::pair<std::string, std::string>> headers; // extra request headers (chrome)
};

// Loads `request` in session `sessionId` through `service` (re-arming its idle timer) and
// writes the API's "solution" object (JSON) to *solution: response, statusCode (the
// navigation's real HTTP status), currentUrl, userAgent, cookies, cookieString, innerText.
Status fetchPage(SessionService& service, const std::string& sessionId, const PageRequest& request,
                 std::string* solution);

} // namespace wdh
