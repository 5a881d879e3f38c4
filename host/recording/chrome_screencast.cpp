#include "recording/chrome_screencast.h"

#include "core/base64.h"
#include "core/log.h"
#include "http/http_client.h"

#include "json/json.h"
#include <vector>

namespace wdh {
namespace {

constexpr std::size_t kMaxMessage = 32u << 20; // a 4K JPEG frame in base64 fits

std::chrono::milliseconds until(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() > 0 ? left : std::chrono::milliseconds(1);
}

} // namespace

Status findChromePage(const std::string& cdpBase, const std::string& wanted,
                      std::chrono::steady_clock::time_point deadline, ChromePage* page) {
  HttpCallResult answer;
  Status status = httpCall("GET", cdpBase + "/json/list", "", until(deadline), &answer);
  if (!status.isOk())
    return status.withContext("cannot list the browser's pages");
  rapidjson::Document targets;
  if (answer.status != 200 || !parseJson(answer.body, &targets).isOk() || !targets.IsArray())
    return Status(ErrorCode::UnknownError,
                  "the browser's /json/list answered " + std::to_string(answer.status));
  log(LogLevel::Debug, "recording", "the browser's targets: " + answer.body.substr(0, 2000));
  *page = ChromePage{};
  for (const rapidjson::Value& target : targets.GetArray()) {
    auto text = [&](const char* key) {
      auto it = target.IsObject() ? target.FindMember(key) : target.MemberEnd();
      return it != target.MemberEnd() && it->value.IsString()
                 ? std::string_view(it->value.GetString(), it->value.GetStringLength())
                 : std::string_view();
    };
    if (text("type") != "page" || text("webSocketDebuggerUrl").empty())
      continue;
    bool first = page->socket.empty();
    if (first || (!wanted.empty() && text("id") == wanted)) {
      page->socket = std::string(text("webSocketDebuggerUrl"));
      page->url = std::string(text("url"));
      page->title = std::string(text("title"));
    }
    if (!wanted.empty() && text("id") == wanted)
      break;
  }
  if (page->socket.empty())
    return Status(ErrorCode::UnknownError, "the browser has no page to record");
  return Status::ok();
}

namespace {

// The websocket URL of the page `wanted` (see findChromePage).
Status pageToWatch(const std::string& cdpBase, const std::string& wanted,
                   std::chrono::steady_clock::time_point deadline, std::string* url) {
  ChromePage page;
  Status status = findChromePage(cdpBase, wanted, deadline, &page);
  *url = page.socket;
  return status;
}

} // namespace

Status ChromeScreencast::open(const std::string& cdpBase, const ScreencastOptions& options,
                              std::chrono::steady_clock::time_point deadline,
                              std::unique_ptr<ChromeScreencast>* out) {
  std::string page;
  Status status = pageToWatch(cdpBase, options.target, deadline, &page);
  if (!status.isOk())
    return status;
  std::unique_ptr<WebSocketClient> socket;
  status = WebSocketClient::open(page, until(deadline), kMaxMessage, &socket);
  if (!status.isOk())
    return status.withContext("cannot reach the page's DevTools");
  std::unique_ptr<ChromeScreencast> cast(new ChromeScreencast(std::move(socket)));
  std::vector<std::string> calls;
  if (options.console) {
    // Runtime.enable also replays what the page wrote before the host was watching.
    calls.push_back("\"method\":\"Runtime.enable\"");
    calls.push_back("\"method\":\"Log.enable\"");
  }
  if (options.network)
    calls.push_back("\"method\":\"Network.enable\"");
  if (options.frames)
    calls.push_back("\"method\":\"Page.startScreencast\",\"params\":{\"format\":\"jpeg\","
                    "\"quality\":80,\"everyNthFrame\":1,\"maxWidth\":" +
                    std::to_string(options.maxWidth) +
                    ",\"maxHeight\":" + std::to_string(options.maxHeight) + "}");
  for (const std::string& call : calls) {
    status = cast->socket_->send("{\"id\":" + std::to_string(cast->nextId_++) + "," + call + "}",
                                 deadline);
    if (!status.isOk())
      return status.withContext("cannot start watching the page");
  }
  *out = std::move(cast);
  return Status::ok();
}

namespace {

std::string_view stringOf(const rapidjson::Value& object, const char* key) {
  if (!object.IsObject())
    return {};
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || !it->value.IsString())
    return {};
  return std::string_view(it->value.GetString(), it->value.GetStringLength());
}

// An object's preview (a CDP ObjectPreview) as "{a: 1, b: "x"}" or "[1, 2]", or "".
std::string previewed(const rapidjson::Value& remote) {
  auto preview = remote.FindMember("preview");
  if (preview == remote.MemberEnd() || !preview->value.IsObject())
    return "";
  auto properties = preview->value.FindMember("properties");
  if (properties == preview->value.MemberEnd() || !properties->value.IsArray())
    return "";
  bool array = stringOf(preview->value, "subtype") == "array";
  std::string out = array ? "[" : "{";
  for (const rapidjson::Value& property : properties->value.GetArray()) {
    out += out.size() > 1 ? ", " : "";
    if (!array)
      out += std::string(stringOf(property, "name")) + ": ";
    bool quoted = stringOf(property, "type") == "string";
    out += (quoted ? "\"" : "") + std::string(stringOf(property, "value")) + (quoted ? "\"" : "");
  }
  auto overflow = preview->value.FindMember("overflow");
  if (overflow != preview->value.MemberEnd() && overflow->value.IsBool() &&
      overflow->value.GetBool())
    out += ", ...";
  return out + (array ? "]" : "}");
}

// A console argument (a CDP RemoteObject) as the console shows it.
std::string shown(const rapidjson::Value& remote) {
  if (!remote.IsObject())
    return "?";
  auto value = remote.FindMember("value");
  if (value != remote.MemberEnd())
    return value->value.IsString()
               ? std::string(value->value.GetString(), value->value.GetStringLength())
               : toJson(value->value);
  std::string preview = previewed(remote);
  if (!preview.empty())
    return preview;
  for (const char* key : {"unserializableValue", "description", "type"}) {
    std::string_view text = stringOf(remote, key);
    if (!text.empty())
      return std::string(text);
  }
  return "?";
}

// " (url:line)" of a console call's first stack frame, or "".
std::string whereOf(const rapidjson::Value& params) {
  auto stack = params.FindMember("stackTrace");
  if (stack == params.MemberEnd() || !stack->value.IsObject())
    return "";
  auto frames = stack->value.FindMember("callFrames");
  if (frames == stack->value.MemberEnd() || !frames->value.IsArray() || frames->value.Empty() ||
      !frames->value[0].IsObject())
    return "";
  const rapidjson::Value& frame = frames->value[0];
  std::string_view url = stringOf(frame, "url");
  auto line = frame.FindMember("lineNumber");
  if (url.empty())
    return "";
  return " (" + std::string(url) +
         (line != frame.MemberEnd() && line->value.IsInt()
              ? ":" + std::to_string(line->value.GetInt() + 1)
              : "") +
         ")";
}

// The console line of a Runtime or Log event, or "" for any other event.
std::string consoleLine(std::string_view method, const rapidjson::Value& params) {
  if (method == "Runtime.consoleAPICalled") {
    std::string line = std::string(stringOf(params, "type")) + ":";
    auto args = params.FindMember("args");
    if (args != params.MemberEnd() && args->value.IsArray())
      for (const rapidjson::Value& arg : args->value.GetArray())
        line += " " + shown(arg);
    return line + whereOf(params);
  }
  if (method == "Runtime.exceptionThrown") {
    auto details = params.FindMember("exceptionDetails");
    if (details == params.MemberEnd() || !details->value.IsObject())
      return "exception: ?";
    auto exception = details->value.FindMember("exception");
    std::string text = exception != details->value.MemberEnd()
                           ? shown(exception->value)
                           : std::string(stringOf(details->value, "text"));
    return "exception: " + text;
  }
  if (method == "Log.entryAdded") {
    auto entry = params.FindMember("entry");
    if (entry == params.MemberEnd() || !entry->value.IsObject())
      return "";
    std::string_view url = stringOf(entry->value, "url");
    return std::string(stringOf(entry->value, "level")) + ": " +
           std::string(stringOf(entry->value, "text")) +
           (url.empty() ? "" : " (" + std::string(url) + ")");
  }
  return "";
}

// The line of a Network event, or "" for any other event.
std::string networkLine(std::string_view method, const rapidjson::Value& params) {
  if (method == "Network.requestWillBeSent") {
    auto request = params.FindMember("request");
    if (request == params.MemberEnd())
      return "";
    return std::string(stringOf(request->value, "method")) + " " +
           std::string(stringOf(request->value, "url")).substr(0, 2000);
  }
  if (method == "Network.responseReceived") {
    auto response = params.FindMember("response");
    if (response == params.MemberEnd() || !response->value.IsObject())
      return "";
    auto status = response->value.FindMember("status");
    std::string code = status != response->value.MemberEnd() && status->value.IsNumber()
                           ? std::to_string(static_cast<int>(status->value.GetDouble()))
                           : "?";
    return code + " " + std::string(stringOf(response->value, "url")).substr(0, 2000) + " (" +
           std::string(stringOf(response->value, "mimeType")) + ")";
  }
  if (method == "Network.loadingFailed")
    return "failed: " + std::string(stringOf(params, "errorText"));
  return "";
}

} // namespace

Status ChromeScreencast::next(std::chrono::steady_clock::time_point deadline, PageEvent* event) {
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
    std::string_view method = stringOf(doc, "method");
    auto params = doc.FindMember("params");
    if (method.empty() || params == doc.MemberEnd() || !params->value.IsObject())
      continue;
    if (method.substr(0, 8) == "Network.") {
      std::string line = networkLine(method, params->value);
      if (line.empty())
        continue;
      event->kind = PageEvent::Network;
      event->data = std::move(line);
      return Status::ok();
    }
    if (method != "Page.screencastFrame") {
      std::string line = consoleLine(method, params->value);
      if (line.empty())
        continue;
      event->kind = PageEvent::Console;
      event->data = std::move(line);
      return Status::ok();
    }
    if (takeFrame(params->value, event))
      return Status::ok();
  }
}

bool ChromeScreencast::takeFrame(const rapidjson::Value& params, PageEvent* event) {
  auto data = params.FindMember("data");
  auto session = params.FindMember("sessionId");
  if (data == params.MemberEnd() || !data->value.IsString() || session == params.MemberEnd() ||
      !session->value.IsInt64())
    return false;
  // The browser sends the next frame only once this one is acknowledged (acknowledge()).
  unacknowledged_ = session->value.GetInt64();
  event->kind = PageEvent::Frame;
  event->cssWidth = event->cssHeight = 0;
  auto metadata = params.FindMember("metadata");
  if (metadata != params.MemberEnd() && metadata->value.IsObject()) {
    auto width = metadata->value.FindMember("deviceWidth");
    auto height = metadata->value.FindMember("deviceHeight");
    if (width != metadata->value.MemberEnd() && width->value.IsNumber() &&
        height != metadata->value.MemberEnd() && height->value.IsNumber()) {
      event->cssWidth = width->value.GetDouble();
      event->cssHeight = height->value.GetDouble();
    }
  }
  return base64Decode(std::string_view(data->value.GetString(), data->value.GetStringLength()),
                      &event->data);
}

Status ChromeScreencast::capture(std::chrono::steady_clock::time_point deadline, PageEvent* event) {
  int id = nextId_++;
  Status status =
      socket_->send("{\"id\":" + std::to_string(id) +
                        ",\"method\":\"Page.captureScreenshot\",\"params\":{\"format\":\"jpeg\","
                        "\"quality\":80}}",
                    deadline);
  if (!status.isOk())
    return status;
  for (;;) {
    std::string message;
    status = socket_->receive(deadline, &message);
    if (!status.isOk())
      return status;
    rapidjson::Document doc;
    if (!parseJsonObject(message, &doc).isOk())
      continue;
    auto answered = doc.FindMember("id");
    if (answered != doc.MemberEnd() && answered->value.IsInt() && answered->value.GetInt() == id) {
      auto result = doc.FindMember("result");
      auto data = result != doc.MemberEnd() && result->value.IsObject()
                      ? result->value.FindMember("data")
                      : doc.MemberEnd();
      if (result == doc.MemberEnd() || !result->value.IsObject() ||
          data == result->value.MemberEnd() || !data->value.IsString())
        return Status(ErrorCode::UnknownError,
                      "DevTools refused the screenshot: " + message.substr(0, 300));
      event->kind = PageEvent::Frame;
      event->cssWidth = event->cssHeight = 0;
      if (!base64Decode(std::string_view(data->value.GetString(), data->value.GetStringLength()),
                        &event->data))
        return Status(ErrorCode::UnknownError, "DevTools sent a screenshot that is not base64");
      return Status::ok();
    }
    if (stringOf(doc, "method") != "Page.screencastFrame")
      continue;
    // A frame came first: it is newer than anything held back. Read it as next() would; the
    // screenshot's answer is skipped by next() when it comes.
    auto params = doc.FindMember("params");
    if (params != doc.MemberEnd() && params->value.IsObject() && takeFrame(params->value, event))
      return Status::ok();
  }
}

Status ChromeScreencast::acknowledge(std::chrono::steady_clock::time_point deadline) {
  if (unacknowledged_ < 0)
    return Status::ok();
  std::int64_t session = unacknowledged_;
  unacknowledged_ = -1;
  return socket_->send("{\"id\":" + std::to_string(nextId_++) +
                           ",\"method\":\"Page.screencastFrameAck\",\"params\":{"
                           "\"sessionId\":" +
                           std::to_string(session) + "}}",
                       deadline);
}

} // namespace wdh
