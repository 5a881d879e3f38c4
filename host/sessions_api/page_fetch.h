// request.get / request.post: load a URL in a session's browser and read back what it got.
#pragma once

#include "core/status.h"
#include "sessions_api/request_deadline.h"
#include "sessions_api/webdriver_call.h"

#include <rapidjson/document.h>
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
  std::vector<std::pair<std::string, std::string>> headers; // extra request headers
  const rapidjson::Value* actions = nullptr;                // browserActions (checked), or null
  std::vector<std::pair<std::string, std::string>> localStorage; // set on the URL's site first
  bool screenshot = false;                                       // add a base64 PNG of the viewport
  int screenshotWidth = 0;       // viewport width for it (0 = as is)
  int screenshotHeight = 0;      // viewport height for it (0 = as is)
  std::string cssSelector;       // "response" is only this element's HTML
  bool includeLinks = false;     // add "links": every a[href], absolute
  bool includeImages = false;    // add "images": every img[src], absolute
  std::string bidiUrl;           // the session's driver BiDi endpoint; "" = it has none
  bool listAllRedirects = false; // add "listAllRedirectsResponse": every hop of the chain
};

// Loads `request` in session `sessionId` through `service` (re-arming its idle timer) and
// makes *solution the API's "solution" object: response, statusCode (the
// navigation's real HTTP status), currentUrl, userAgent, cookies, cookieString, innerText,
// localStorageData, javascriptReturn, and screenshot, links and images when asked. The page is
// read back after the browserActions ran. With `bidiUrl`, the main document's method,
// requestHeaders and responseHeaders (and its redirects when asked) come from the browser's own
// network events, and so does statusCode. `deadline` bounds the whole of it (checked between
// steps, in every wait and every browser action).
Status fetchPage(WebDriverCalls& session, const PageRequest& request,
                 const RequestDeadline& deadline, rapidjson::Document* solution);

} // namespace wdh
