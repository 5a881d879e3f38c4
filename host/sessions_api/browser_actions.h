// request.*'s "browserActions": the clicks, typing, waits and scripts scraping clients send,
// checked up front and run through the session's own WebDriver commands, so every backend
// gets them.
#pragma once

#include "core/status.h"
#include "sessions_api/request_deadline.h"
#include "sessions_api/webdriver_call.h"

#include <rapidjson/document.h>
#include <string>
#include <vector>

namespace wdh {

// When an action runs: before the page is loaded, or after (the default).
enum class ActionPhase { BeforeLoad, AfterLoad };

// What the actions produced for the reply's "solution".
struct ActionResults {
  std::vector<std::string> javascriptReturn; // each execute_js result, as JSON
};

// Checks `actions` (the browserActions array) before anything runs. InvalidArgument names what
// to fix (an unknown type lists the known ones); UnsupportedOperation for the captcha and login
// actions, which need third-party services.
Status checkActions(const rapidjson::Value& actions);

// Runs the actions of `phase` in order on session `id`. An action that fails stops the list
// with its error unless it says "ignoreErrors": true. Every wait is bounded by its own timeout
// and all of them together by `deadline`, checked before every action, every poll and every
// round of a while or scroll (a deadline passed or a client gone ends the list).
Status runActions(WebDriverCalls& session, const rapidjson::Value& actions, ActionPhase phase,
                  const RequestDeadline& deadline, ActionResults* results);

} // namespace wdh
