#include "live/frame_capture.h"

#include "core/base64.h"
#include "core/time.h"
#include "http/http_client.h"
#include "http/websocket_client.h"
#include "recording/jpeg_size.h"
#include "session/session.h"

#include "json/json.h"
#include <Poco/Exception.h>
#include <Poco/URI.h>
#include <cstdint>

namespace wdh {
namespace {

constexpr std::size_t kMaxFrameBytes = 32u << 20;
// The most of a DevTools target list read (a browser with many tabs stays far below).
constexpr std::size_t kMaxTargetList = 4u << 20;

Status decodeFrame(const rapidjson::Value& text, std::string* out) {
  if (!text.IsString())
    return Status(ErrorCode::UnknownError, "the screenshot is not a base64 string");
  if (!base64Decode(std::string_view(text.GetString(), text.GetStringLength()), out,
                    kMaxFrameBytes))
    return Status(ErrorCode::UnknownError, "the screenshot is not base64, or larger than " +
                                               std::to_string(kMaxFrameBytes) + " bytes");
  return Status::ok();
}

// The webSocketDebuggerUrl of the first page target DevTools lists (the most recently used).
Status pageTarget(const Poco::URI& base, std::chrono::milliseconds timeout, std::string* url) {
  HttpCallRequest list;
  list.url = "http://" + base.getAuthority() + "/json/list";
  list.deadline = std::chrono::steady_clock::now() + timeout;
  list.maxBody = kMaxTargetList;
  HttpCallResult answer;
  Status listed = httpCall(list, &answer);
  if (!listed.isOk())
    return listed.withContext("DevTools");
  const std::string& text = answer.body;
  rapidjson::Document targets;
  if (!parseJson(text, &targets).isOk() || !targets.IsArray())
    return Status(ErrorCode::UnknownError, "DevTools answered /json/list with no target list");
  for (const auto& target : targets.GetArray()) {
    if (!target.IsObject())
      continue;
    auto type = target.FindMember("type");
    auto ws = target.FindMember("webSocketDebuggerUrl");
    if (type != target.MemberEnd() && type->value.IsString() &&
        std::string(type->value.GetString()) == "page" && ws != target.MemberEnd() &&
        ws->value.IsString()) {
      *url = ws->value.GetString();
      return Status::ok();
    }
  }
  return Status(ErrorCode::NoSuchWindow, "the browser has no page open");
}

} // namespace

Status captureOverDevTools(const std::string& devToolsBase, std::chrono::milliseconds timeout,
                           LiveFrame* out) {
  try {
    Poco::URI base(devToolsBase);
    std::string target;
    Status status = pageTarget(base, timeout, &target);
    if (!status.isOk())
      return status;
    Poco::URI page(target);
    if (page.getHost() != base.getHost() || page.getPort() != base.getPort())
      return Status(ErrorCode::UnknownError, "DevTools named a page on another address");
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_ptr<WebSocketClient> socket;
    status = WebSocketClient::open(target, timeout, kMaxFrameBytes, &socket);
    if (!status.isOk())
      return status.withContext("the browser's DevTools");
    status = socket->send(
        R"({"id":1,"method":"Page.captureScreenshot","params":{"format":"jpeg","quality":70}})",
        deadline);
    if (!status.isOk())
      return status.withContext("the browser's DevTools");
    // Events of other domains are not enabled on this connection; skip anything else anyway.
    std::string message;
    for (int messages = 0; messages < 64; ++messages) {
      status = socket->receive(deadline, &message);
      if (!status.isOk())
        return status.withContext("the browser's DevTools, waiting for the screenshot");
      rapidjson::Document reply;
      if (!parseJsonObject(message, &reply).isOk())
        continue;
      auto id = reply.FindMember("id");
      if (id == reply.MemberEnd() || !id->value.IsInt() || id->value.GetInt() != 1)
        continue;
      auto result = reply.FindMember("result");
      if (result == reply.MemberEnd() || !result->value.IsObject() ||
          !result->value.HasMember("data"))
        return Status(ErrorCode::UnknownError,
                      "DevTools refused the screenshot: " + toJson(reply).substr(0, 300));
      out->contentType = "image/jpeg";
      status = decodeFrame(result->value["data"], &out->bytes);
      if (status.isOk())
        jpegSize(out->bytes, &out->width, &out->height);
      return status;
    }
    return Status(ErrorCode::UnknownError, "DevTools closed before the screenshot came");
  } catch (const Poco::Exception& e) {
    return Status(ErrorCode::UnknownError,
                  "cannot reach the browser's DevTools: " + e.displayText());
  }
}

bool pngSize(std::string_view bytes, int* width, int* height) {
  if (bytes.size() < 24 || bytes.substr(0, 8) != std::string_view("\x89PNG\r\n\x1a\n", 8) ||
      bytes.substr(12, 4) != "IHDR")
    return false;
  auto word = [&](std::size_t at) {
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < 4; ++i)
      value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
    return value;
  };
  std::uint32_t w = word(16);
  std::uint32_t h = word(20);
  if (w == 0 || h == 0 || w > 1u << 16 || h > 1u << 16)
    return false;
  *width = static_cast<int>(w);
  *height = static_cast<int>(h);
  return true;
}

Status captureByCommand(Session& session, LiveFrame* out) {
  RelayResponse response;
  Status status = session.execute("GET", "/screenshot", "", &response, Activity::Quiet);
  if (!status.isOk())
    return status;
  rapidjson::Document doc;
  if (response.status != 200 || !parseJsonObject(response.body, &doc).isOk() ||
      !doc.HasMember("value"))
    return Status(ErrorCode::UnknownError, "Take Screenshot answered " +
                                               std::to_string(response.status) + ": " +
                                               response.body.substr(0, 300));
  out->contentType = "image/png";
  status = decodeFrame(doc["value"], &out->bytes);
  if (status.isOk() && !pngSize(out->bytes, &out->width, &out->height))
    return Status(ErrorCode::UnknownError, "Take Screenshot answered something not a PNG");
  return status;
}

} // namespace wdh
