#include "recording/chrome_screencast.h"

#include "core/base64.h"
#include "core/log.h"
#include "http/http_client.h"

#include "json/json.h"

namespace wdh {
namespace {

constexpr std::size_t kMaxMessage = 32u << 20; // a 4K JPEG frame in base64 fits

std::chrono::milliseconds until(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() > 0 ? left : std::chrono::milliseconds(1);
}

// The websocket URL of the first page in the browser's /json/list.
Status firstPage(const std::string& cdpBase, std::chrono::steady_clock::time_point deadline,
                 std::string* url) {
  HttpCallResult answer;
  Status status = httpCall("GET", cdpBase + "/json/list", "", until(deadline), &answer);
  if (!status.isOk())
    return status.withContext("cannot list the browser's pages");
  rapidjson::Document targets;
  if (answer.status != 200 || !parseJson(answer.body, &targets).isOk() || !targets.IsArray())
    return Status(ErrorCode::UnknownError,
                  "the browser's /json/list answered " + std::to_string(answer.status));
  log(LogLevel::Debug, "recording", "the browser's targets: " + answer.body.substr(0, 2000));
  for (const rapidjson::Value& target : targets.GetArray()) {
    if (!target.IsObject())
      continue;
    auto type = target.FindMember("type");
    auto socket = target.FindMember("webSocketDebuggerUrl");
    if (type != target.MemberEnd() && type->value.IsString() &&
        std::string_view(type->value.GetString()) == "page" && socket != target.MemberEnd() &&
        socket->value.IsString()) {
      *url = socket->value.GetString();
      return Status::ok();
    }
  }
  return Status(ErrorCode::UnknownError, "the browser has no page to record");
}

} // namespace

Status ChromeScreencast::open(const std::string& cdpBase, int maxWidth, int maxHeight,
                              std::chrono::steady_clock::time_point deadline,
                              std::unique_ptr<ChromeScreencast>* out) {
  std::string page;
  Status status = firstPage(cdpBase, deadline, &page);
  if (!status.isOk())
    return status;
  std::unique_ptr<WebSocketClient> socket;
  status = WebSocketClient::open(page, until(deadline), kMaxMessage, &socket);
  if (!status.isOk())
    return status.withContext("cannot reach the page's DevTools");
  std::string start = "{\"id\":1,\"method\":\"Page.startScreencast\",\"params\":{\"format\":"
                      "\"jpeg\",\"quality\":80,\"everyNthFrame\":1,\"maxWidth\":" +
                      std::to_string(maxWidth) + ",\"maxHeight\":" + std::to_string(maxHeight) +
                      "}}";
  status = socket->send(start, deadline);
  if (!status.isOk())
    return status.withContext("cannot start the screencast");
  out->reset(new ChromeScreencast(std::move(socket)));
  return Status::ok();
}

Status ChromeScreencast::nextFrame(std::chrono::steady_clock::time_point deadline,
                                   std::string* jpeg) {
  for (;;) {
    std::string message;
    Status status = socket_->receive(deadline, &message);
    if (!status.isOk())
      return status;
    rapidjson::Document doc;
    if (!parseJsonObject(message, &doc).isOk())
      continue;
    auto error = doc.FindMember("error");
    if (error != doc.MemberEnd())
      return Status(ErrorCode::UnknownError, "DevTools refused: " + toJson(error->value));
    auto method = doc.FindMember("method");
    if (method == doc.MemberEnd() || !method->value.IsString() ||
        std::string_view(method->value.GetString()) != "Page.screencastFrame")
      continue;
    auto params = doc.FindMember("params");
    if (params == doc.MemberEnd() || !params->value.IsObject())
      continue;
    auto data = params->value.FindMember("data");
    auto session = params->value.FindMember("sessionId");
    if (data == params->value.MemberEnd() || !data->value.IsString() ||
        session == params->value.MemberEnd() || !session->value.IsInt64())
      continue;
    // The browser sends the next frame only once this one is acknowledged.
    status = socket_->send("{\"id\":" + std::to_string(nextId_++) +
                               ",\"method\":\"Page.screencastFrameAck\",\"params\":{"
                               "\"sessionId\":" +
                               std::to_string(session->value.GetInt64()) + "}}",
                           deadline + std::chrono::seconds(1));
    if (!status.isOk())
      return status;
    if (base64Decode(std::string_view(data->value.GetString(), data->value.GetStringLength()),
                     jpeg))
      return Status::ok();
  }
}

} // namespace wdh
