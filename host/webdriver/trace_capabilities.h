// wdhost:trace in New Session: "on", "on-failure", "off", true, false, or
// {"mode": ..., "redact": true}. The host's capability: taken out before a plugin sees it.
#pragma once

#include "core/status.h"
#include "webdriver/command_tracer.h"

#include <rapidjson/document.h>

namespace wdh {

// The name of the capability.
inline constexpr const char* kTraceCap = "wdhost:trace";

// Reads wdhost:trace from `hostCaps` into *ask (left as it is when absent); InvalidArgument
// saying what the capability takes for any other value.
Status takeTraceAsk(const rapidjson::Value& hostCaps, TraceAsk* ask);

// Reads a trace mode's name ("on", "on-failure", "off"); false for any other.
bool traceModeOf(std::string_view name, TraceMode* mode);

} // namespace wdh
