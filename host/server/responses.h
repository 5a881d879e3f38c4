// Writing WebDriver responses: JSON bodies with the W3C headers, and errors from a Status.
#pragma once

#include "core/status.h"

#include <Poco/Net/HTTPServerResponse.h>
#include <string>
#include <string_view>

namespace wdh {

// The W3C error body {"value":{"error","message","stacktrace"}} for a failed Status.
std::string errorBody(const Status& status);

// Sends `body` with `httpStatus`, Content-Type (JSON unless given) and Cache-Control: no-cache.
void sendJson(Poco::Net::HTTPServerResponse& response, int httpStatus, std::string_view body,
              std::string_view contentType = {});

// Sends the W3C error for `status` with its HTTP status.
void sendError(Poco::Net::HTTPServerResponse& response, const Status& status);

} // namespace wdh
