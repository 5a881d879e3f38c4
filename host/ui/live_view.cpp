#include "ui/live_view.h"

#include "core/base64.h"
#include "core/time.h"
#include "session/session.h"

#include "json/json.h"
#include <Poco/Buffer.h>
#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/WebSocket.h>
#include <Poco/URI.h>
#include <sstream>

namespace wdh {
namespace {

constexpr int kMaxFrameBytes = 32 * 1024 * 1024;

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
  Poco::Net::HTTPClientSession http(base.getHost(), base.getPort());
  http.setTimeout(toTimespan(timeout));
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, "/json/list",
                                 Poco::Net::HTTPMessage::HTTP_1_1);
  http.sendRequest(request);
  Poco::Net::HTTPResponse response;
  std::istream& body = http.receiveResponse(response);
  std::string text((std::istreambuf_iterator<char>(body)), std::istreambuf_iterator<char>());
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
    Poco::Net::HTTPClientSession http(page.getHost(), page.getPort());
    http.setTimeout(toTimespan(timeout));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, page.getPathEtc(),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    Poco::Net::HTTPResponse response;
    Poco::Net::WebSocket socket(http, request, response);
    socket.setReceiveTimeout(toTimespan(timeout));
    socket.setMaxPayloadSize(kMaxFrameBytes);
    const std::string ask =
        R"({"id":1,"method":"Page.captureScreenshot","params":{"format":"jpeg","quality":70}})";
    socket.sendFrame(ask.data(), static_cast<int>(ask.size()), Poco::Net::WebSocket::FRAME_TEXT);
    // Events of other domains are not enabled on this connection; skip anything else anyway.
    for (int frames = 0; frames < 64; ++frames) {
      Poco::Buffer<char> buffer(0);
      int flags = 0;
      int got = socket.receiveFrame(buffer, flags);
      if (got <= 0 ||
          (flags & Poco::Net::WebSocket::FRAME_OP_BITMASK) == Poco::Net::WebSocket::FRAME_OP_CLOSE)
        break;
      rapidjson::Document reply;
      if (!parseJsonObject(std::string_view(buffer.begin(), buffer.size()), &reply).isOk())
        continue;
      auto id = reply.FindMember("id");
      if (id == reply.MemberEnd() || !id->value.IsInt() || id->value.GetInt() != 1)
        continue;
      auto result = reply.FindMember("result");
      if (result == reply.MemberEnd() || !result->value.IsObject() ||
          !result->value.HasMember("data"))
        return Status(ErrorCode::UnknownError,
                      "DevTools refused the screenshot: " + toJson(reply).substr(0, 300));
      socket.shutdown();
      out->contentType = "image/jpeg";
      return decodeFrame(result->value["data"], &out->bytes);
    }
    return Status(ErrorCode::UnknownError, "DevTools closed before the screenshot came");
  } catch (const Poco::Exception& e) {
    return Status(ErrorCode::UnknownError,
                  "cannot reach the browser's DevTools: " + e.displayText());
  }
}

Status captureByCommand(Session& session, LiveFrame* out) {
  RelayResponse response;
  Status status = session.execute("GET", "/screenshot", "", &response);
  if (!status.isOk())
    return status;
  rapidjson::Document doc;
  if (response.status != 200 || !parseJsonObject(response.body, &doc).isOk() ||
      !doc.HasMember("value"))
    return Status(ErrorCode::UnknownError, "Take Screenshot answered " +
                                               std::to_string(response.status) + ": " +
                                               response.body.substr(0, 300));
  out->contentType = "image/png";
  return decodeFrame(doc["value"], &out->bytes);
}

} // namespace wdh
