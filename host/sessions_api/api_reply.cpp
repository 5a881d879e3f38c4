#include "sessions_api/api_reply.h"

#include "json/json.h"

namespace wdh {

ApiReply apiError(int httpStatus, std::string_view code, std::string_view message) {
  ApiReply reply;
  reply.httpStatus = httpStatus;
  reply.body =
      "{\"data\":\"error\",\"error\":" + quoteJson(message) + ",\"code\":" + quoteJson(code) + "}";
  return reply;
}

ApiReply apiErrorFrom(const Status& status) {
  switch (status.code()) {
  case ErrorCode::InvalidArgument:
    return apiError(400, "bad_request", status.message());
  case ErrorCode::InvalidSessionId:
    return apiError(404, "session_not_found", status.message());
  case ErrorCode::SessionNotCreated:
    // The slot pool names its limits and the queue in its messages; those mean "try later".
    if (status.message().find("--max-sessions") != std::string::npos ||
        status.message().find("in the queue") != std::string::npos)
      return apiError(503, "no_free_slot", status.message());
    if (status.message().find("already live") != std::string::npos)
      return apiError(409, "session_exists", status.message());
    return apiError(500, "launch_failed", status.message());
  default:
    return apiError(500, "browser_error", status.message());
  }
}

} // namespace wdh
