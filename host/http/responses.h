// Building WebDriver replies: JSON bodies, and W3C errors from a Status.
#pragma once

#include "core/status.h"
#include "http/exchange.h"

#include <string>
#include <string_view>

namespace wdh {

// The W3C error body {"value":{"error","message","stacktrace"}} for a failed Status.
std::string errorBody(const Status& status);

// Fills `reply` with `body` and `httpStatus` (JSON unless `contentType` says otherwise).
void jsonReply(Reply* reply, int httpStatus, std::string body, std::string contentType = {});

// Fills `reply` with the W3C error for `status` and its HTTP status.
void errorReply(Reply* reply, const Status& status);

} // namespace wdh
