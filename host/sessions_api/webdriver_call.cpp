#include "sessions_api/webdriver_call.h"

#include "json/json.h"

namespace wdh {

Status SessionCalls::call(std::string_view method, std::string_view suffix, const std::string& body,
                          rapidjson::Document* value) {
  RelayResponse response;
  Status status = commands_.execute(id_, method, suffix, body, &response);
  if (!status.isOk())
    return status;
  rapidjson::Document doc;
  if (!parseJsonObject(response.body, &doc).isOk() || !doc.HasMember("value"))
    return Status(ErrorCode::UnknownError, "the browser answered " + std::string(suffix) +
                                               " with no value: " + response.body.substr(0, 200));
  if (response.status >= 300) {
    const rapidjson::Value& error = doc["value"];
    std::string code = error.IsObject() && error.HasMember("error") && error["error"].IsString()
                           ? error["error"].GetString()
                           : "unknown error";
    std::string message =
        error.IsObject() && error.HasMember("message") && error["message"].IsString()
            ? error["message"].GetString()
            : response.body.substr(0, 300);
    return Status(errorFromName(code), message);
  }
  value->CopyFrom(doc["value"], value->GetAllocator());
  return Status::ok();
}

Status webdriverCall(WebDriverCalls& session, std::string_view method, std::string_view suffix,
                     const std::string& body, rapidjson::Document* value) {
  return session.call(method, suffix, body, value);
}

Status runScript(WebDriverCalls& session, std::string_view script, std::string_view args,
                 rapidjson::Document* value) {
  std::string body = "{\"script\":" + quoteJson(script) + ",\"args\":";
  body.append(args.empty() ? std::string_view("[]") : args).append("}");
  return session.call("POST", "/execute/sync", body, value);
}

} // namespace wdh
