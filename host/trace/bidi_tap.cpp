#include "trace/bidi_tap.h"

#include "trace/command_names.h"
#include "trace/session_trace.h"
#include "trace/trace_redaction.h"

#include "json/json.h"

namespace wdh {

namespace {

std::string stringIn(const rapidjson::Value& object, const char* key) {
  if (!object.IsObject())
    return "";
  auto it = object.FindMember(key);
  return it != object.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

// The line an event of `method` with `params` makes in the trace: ("console", "error: text"),
// ("network", "GET url"), or ("", "") for an event a trace does not keep.
std::pair<const char*, std::string> eventLine(const std::string& method,
                                              const rapidjson::Value& params) {
  if (method == "log.entryAdded")
    return {"console", stringIn(params, "level") + ": " + stringIn(params, "text").substr(0, 4000)};
  if (!params.IsObject())
    return {"", ""};
  if (method == "network.beforeRequestSent" || method == "network.responseCompleted" ||
      method == "network.fetchError") {
    auto request = params.FindMember("request");
    if (request == params.MemberEnd() || !request->value.IsObject())
      return {"", ""};
    std::string url = stringIn(request->value, "url");
    if (method == "network.beforeRequestSent")
      return {"network", stringIn(request->value, "method") + " " + url.substr(0, 2000)};
    if (method == "network.fetchError")
      return {"network", "failed: " + stringIn(params, "errorText") + " " + url.substr(0, 2000)};
    auto response = params.FindMember("response");
    std::string status = "?";
    if (response != params.MemberEnd() && response->value.IsObject()) {
      auto code = response->value.FindMember("status");
      if (code != response->value.MemberEnd() && code->value.IsNumber())
        status = std::to_string(static_cast<int>(code->value.GetDouble()));
    }
    return {"network", status + " " + url.substr(0, 2000)};
  }
  return {"", ""};
}

} // namespace

void BidiTap::bytes(bool fromClient, const char* data, std::size_t size) noexcept {
  try {
    std::shared_ptr<SessionTrace> trace = trace_.lock();
    if (!trace)
      return;
    WebSocketMessageReader& reader = fromClient ? client_ : browser_;
    reader.feed(data, size);
    std::string message;
    for (;;) {
      WebSocketMessageReader::Result got = reader.next(&message);
      if (got == WebSocketMessageReader::Result::NeedMore ||
          (got != WebSocketMessageReader::Result::Text &&
           got != WebSocketMessageReader::Result::Binary))
        return; // a closed or broken stream is the relay's to end; the trace just stops here
      if (got != WebSocketMessageReader::Result::Text)
        continue;
      if (fromClient)
        this->fromClient(*trace, message);
      else
        fromBrowser(*trace, message);
    }
  } catch (...) {
    // Tracing never breaks the relay: a message that cannot be followed is left out.
  }
}

void BidiTap::fromClient(SessionTrace& trace, std::string_view message) {
  rapidjson::Document doc;
  if (!parseJsonObject(message, &doc).isOk())
    return;
  auto id = doc.FindMember("id");
  std::string method = stringIn(doc, "method");
  if (id == doc.MemberEnd() || !id->value.IsInt64() || method.empty() || method.size() > 200)
    return;
  auto params = doc.FindMember("params");
  std::string body = params != doc.MemberEnd() ? toJson(params->value) : "{}";
  std::uint64_t number = trace.started(kBidiMethod, method, body);
  if (open_.size() >= kMaxOpen)
    open_.erase(open_.begin());
  open_[id->value.GetInt64()] = number;
}

void BidiTap::fromBrowser(SessionTrace& trace, std::string_view message) {
  rapidjson::Document doc;
  if (!parseJsonObject(message, &doc).isOk())
    return;
  std::string type = stringIn(doc, "type");
  if (type == "event") {
    auto params = doc.FindMember("params");
    if (params == doc.MemberEnd())
      return;
    auto [kind, line] = eventLine(stringIn(doc, "method"), params->value);
    if (kind[0] != '\0')
      trace.event(kind, std::move(line));
    return;
  }
  auto id = doc.FindMember("id");
  if ((type != "success" && type != "error") || id == doc.MemberEnd() || !id->value.IsInt64())
    return;
  auto open = open_.find(id->value.GetInt64());
  if (open == open_.end())
    return;
  std::uint64_t number = open->second;
  open_.erase(open);
  RelayResponse out;
  out.status = 200;
  out.body = std::string(message.substr(0, kMaxTracedBody));
  Status status;
  if (type == "error") {
    std::string error = stringIn(doc, "error");
    ErrorCode code = errorFromName(error);
    // BiDi's own errors ("no such node", ...) are kept by name in the message.
    status =
        Status(code, (code == ErrorCode::UnknownError && error != "unknown error" ? error + ": "
                                                                                  : std::string()) +
                         stringIn(doc, "message"));
  }
  trace.finished(number, status, out);
}

} // namespace wdh
