#include "sessions_api/api_reply.h"

#include "core/uuid.h"

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

ApiReply apiSuccess(rapidjson::Document& doc, std::chrono::steady_clock::time_point start) {
  auto& a = doc.GetAllocator();
  doc.AddMember("data", "success", a);
  doc.AddMember("timeElapsed",
                static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                              std::chrono::steady_clock::now() - start)
                                              .count()),
                a);
  return ApiReply{200, toJson(doc)};
}

void addWebSocketUrls(const std::shared_ptr<Session>& session, rapidjson::Value* out,
                      rapidjson::Document::AllocatorType& a) {
  if (!session)
    return;
  const SessionSockets& sockets = session->sockets();
  if (!sockets.publicBidi.empty())
    out->AddMember("webSocketUrl", rapidjson::Value(sockets.publicBidi.c_str(), a), a);
  if (!sockets.publicCdp.empty())
    out->AddMember("cdpUrl", rapidjson::Value(sockets.publicCdp.c_str(), a), a);
}

rapidjson::Value browserContext(rapidjson::Document::AllocatorType& a) {
  rapidjson::Value context(rapidjson::kObjectType);
  context.AddMember("_type", "BrowserContext", a);
  context.AddMember("_guid", rapidjson::Value(("browser-context@" + randomHex(16)).c_str(), a), a);
  return context;
}

} // namespace wdh
