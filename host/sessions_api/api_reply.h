// Replies of the sessions command API: success bodies and {"data":"error"} errors with a
// stable machine code and a fitting HTTP status.
#pragma once

#include "core/status.h"
#include "session/session.h"

#include <chrono>
#include <memory>
#include <rapidjson/document.h>
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

// `doc` (an object) as the API's success: "data": "success" and "timeElapsed" since `start`.
ApiReply apiSuccess(rapidjson::Document& doc, std::chrono::steady_clock::time_point start);

// Adds the session's "webSocketUrl" (BiDi) and "cdpUrl" (CDP), where it has them, to `out`.
void addWebSocketUrls(const std::shared_ptr<Session>& session, rapidjson::Value* out,
                      rapidjson::Document::AllocatorType& a);

// A "context" member as the hosted API's clients expect it: {"_type": "BrowserContext",
// "_guid": "browser-context@<random hex>"}.
rapidjson::Value browserContext(rapidjson::Document::AllocatorType& a);

} // namespace wdh
