// Replies of the sessions command API: success bodies and {"data":"error"} errors with a
// stable machine code and a fitting HTTP status.
#pragma once

#include "core/status.h"

#include <string>
#include <string_view>

namespace wdh {

// One HTTP answer of the API.
struct ApiReply {
  int httpStatus = 200; // 200, or 400/401/404/409/500/503
  std::string body;     // JSON
};

// {"data":"error","error":message,"code":code} with `httpStatus`.
ApiReply apiError(int httpStatus, std::string_view code, std::string_view message);

// The API error for a failed host Status: bad input 400, unknown session 404, no free slot
// 503, anything else 500.
ApiReply apiErrorFrom(const Status& status);

} // namespace wdh
