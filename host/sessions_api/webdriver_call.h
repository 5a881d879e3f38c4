// One WebDriver command run in-process on a session, for the sessions API: the one place that
// turns a relayed answer into the W3C value or a Status.
#pragma once

#include "core/status.h"
#include "webdriver/session_service.h"

#include <rapidjson/document.h>
#include <string>
#include <string_view>

namespace wdh {

// Runs `method suffix` with `body` on session `id` (re-arming its idle timer); on a 2xx answer
// copies the W3C "value" to *value, else returns the W3C error the browser gave.
Status webdriverCall(SessionService& service, const std::string& id, std::string_view method,
                     std::string_view suffix, const std::string& body, rapidjson::Document* value);

// Execute Script with `script` (a function body) and `args` (a JSON array, "[]" for none).
Status runScript(SessionService& service, const std::string& id, std::string_view script,
                 std::string_view args, rapidjson::Document* value);

} // namespace wdh
