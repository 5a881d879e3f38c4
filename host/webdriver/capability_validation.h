// Validation of one capabilities object (WebDriver §7.2 "validate capabilities"), before
// merging: every standard capability's type and value, the proxy object, timeouts, the
// prompt handler, and the rule that a key without ":" must be standard.
#pragma once

#include "core/status.h"

#include <rapidjson/document.h>
#include <string_view>

namespace wdh {

// Validates `caps` (an object) found at `where` ("alwaysMatch", "firstMatch[1]"); the message
// of an InvalidArgument names the place, the key and what is accepted.
Status validateCapabilities(const rapidjson::Value& caps, std::string_view where);

// Validates a "proxy" capability value (an object; see WebDriver §7.1 "Proxy").
Status validateProxy(const rapidjson::Value& proxy, std::string_view where);

// Validates a "timeouts" capability value.
Status validateTimeouts(const rapidjson::Value& timeouts, std::string_view where);

// Validates an "unhandledPromptBehavior" value: one handler string, or a map from prompt type
// to handler string.
Status validatePromptBehavior(const rapidjson::Value& behavior, std::string_view where);

} // namespace wdh
