#include "sessions_api/request_input.h"

#include "http/token.h"
#include "sessions_api/target_url.h"

#include "json/json.h"
#include <Poco/String.h>
#include <Poco/URI.h>
#include <algorithm>

namespace wdh {
namespace {

// Whether `text` holds a control character (CR, LF, NUL, ...), or one of `also`.
bool hasControl(std::string_view text, std::string_view also = {}) {
  return std::any_of(text.begin(), text.end(), [&](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f || also.find(c) != std::string_view::npos;
  });
}

// One cookie item {"name" (or `alias`), "value", "domain"?, "path"?} appended to `out`; false
// when it is not one.
bool readCookieItem(const rapidjson::Value& item, const char* alias, std::vector<PageCookie>* out) {
  if (!item.IsObject())
    return false;
  const rapidjson::Value* name = nullptr;
  for (const char* key : {"name", alias})
    if (name == nullptr && key != nullptr && item.HasMember(key) && item[key].IsString())
      name = &item[key];
  if (name == nullptr || !item.HasMember("value") || !item["value"].IsString())
    return false;
  PageCookie cookie{name->GetString(), item["value"].GetString(), "", ""};
  if (!isHttpToken(cookie.name) || hasControl(cookie.value, ";"))
    return false;
  if (item.HasMember("domain") && item["domain"].IsString())
    cookie.domain = item["domain"].GetString();
  if (item.HasMember("path") && item["path"].IsString())
    cookie.path = item["path"].GetString();
  out->push_back(std::move(cookie));
  return true;
}

} // namespace

// The "session" member: a non-empty string, or an error reply.
bool sessionOf(const rapidjson::Value& command, bool required, std::string* id, ApiReply* error) {
  auto it = command.FindMember("session");
  if (it == command.MemberEnd() || it->value.IsNull()) {
    if (required)
      *error = apiError(400, "bad_request", "this command needs \"session\": the session id");
    return !required;
  }
  if (!it->value.IsString() || it->value.GetStringLength() == 0) {
    *error = apiError(400, "bad_request", "\"session\" must be a session id string");
    return false;
  }
  *id = it->value.GetString();
  return true;
}

// "cookiejar": [{"key" or "name", "value", "domain"?, "path"?}], as the clients send it.
bool readCookieJar(const rapidjson::Value& command, std::vector<PageCookie>* out, ApiReply* error) {
  auto it = command.FindMember("cookiejar");
  if (it == command.MemberEnd() || it->value.IsNull())
    return true;
  const char* shape = "\"cookiejar\" must be a list of {\"key\" (or \"name\"), \"value\", "
                      "\"domain\", \"path\"}";
  if (!it->value.IsArray()) {
    *error = apiError(400, "bad_request", shape);
    return false;
  }
  for (const auto& item : it->value.GetArray())
    if (!readCookieItem(item, "key", out)) {
      *error = apiError(400, "bad_request", shape);
      return false;
    }
  return true;
}

// The output options: screenshot (+ size), cssSelector, includeLinks, includeImages, and the
// localStorage to set first.
bool readOutputs(const rapidjson::Value& command, PageRequest* page, ApiReply* error) {
  auto flag = [&](const char* key) {
    auto it = command.FindMember(key);
    return it != command.MemberEnd() && it->value.IsTrue();
  };
  page->screenshot = flag("screenshot");
  page->includeLinks = flag("includeLinks");
  page->includeImages = flag("includeImages");
  page->listAllRedirects = flag("listAllRedirects");
  for (const char* key : {"screenshotWidth", "screenshotHeight"}) {
    auto it = command.FindMember(key);
    if (it == command.MemberEnd() || it->value.IsNull())
      continue;
    if (!it->value.IsInt() || it->value.GetInt() < 200 || it->value.GetInt() > 8000) {
      *error = apiError(400, "bad_request",
                        std::string("\"") + key + "\" must be a whole number of pixels, 200-8000");
      return false;
    }
    (std::string_view(key) == "screenshotWidth" ? page->screenshotWidth : page->screenshotHeight) =
        it->value.GetInt();
  }
  if (auto css = command.FindMember("cssSelector");
      css != command.MemberEnd() && !css->value.IsNull()) {
    if (!css->value.IsString()) {
      *error = apiError(400, "bad_request", "\"cssSelector\" must be a CSS selector string");
      return false;
    }
    page->cssSelector = css->value.GetString();
  }
  if (auto storage = command.FindMember("localStorage");
      storage != command.MemberEnd() && !storage->value.IsNull()) {
    if (!storage->value.IsObject()) {
      *error = apiError(400, "bad_request", "\"localStorage\" must be an object of key: value");
      return false;
    }
    for (const auto& item : storage->value.GetObject())
      page->localStorage.emplace_back(item.name.GetString(), item.value.IsString()
                                                                 ? item.value.GetString()
                                                                 : toJson(item.value));
  }
  return true;
}

// "cookies": "a=1; b=2", or [{"name","value","domain"?,"path"?}].
bool readCookies(const rapidjson::Value& command, std::vector<PageCookie>* out, ApiReply* error) {
  auto it = command.FindMember("cookies");
  if (it == command.MemberEnd() || it->value.IsNull())
    return true;
  const char* shape = "\"cookies\" must be \"name=value; name2=value2\" or a list of "
                      "{\"name\",\"value\",\"domain\",\"path\"}";
  if (it->value.IsString()) {
    std::string_view text(it->value.GetString(), it->value.GetStringLength());
    while (!text.empty()) {
      std::size_t end = text.find(';');
      std::string_view pair = text.substr(0, end);
      text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
      while (!pair.empty() && pair.front() == ' ')
        pair.remove_prefix(1);
      if (pair.empty())
        continue;
      std::size_t equals = pair.find('=');
      if (equals == 0 || equals == std::string_view::npos) {
        *error = apiError(400, "bad_request", shape);
        return false;
      }
      PageCookie cookie{std::string(pair.substr(0, equals)), std::string(pair.substr(equals + 1)),
                        "", ""};
      if (!isHttpToken(cookie.name) || hasControl(cookie.value)) {
        *error = apiError(400, "bad_request", shape);
        return false;
      }
      out->push_back(std::move(cookie));
    }
    return true;
  }
  if (!it->value.IsArray()) {
    *error = apiError(400, "bad_request", shape);
    return false;
  }
  for (const auto& item : it->value.GetArray())
    if (!readCookieItem(item, nullptr, out)) {
      *error = apiError(400, "bad_request", shape);
      return false;
    }
  return true;
}

// "customHeaders": {"Name": "value", ...}
bool readHeaders(const rapidjson::Value& command,
                 std::vector<std::pair<std::string, std::string>>* out, ApiReply* error) {
  auto it = command.FindMember("customHeaders");
  if (it == command.MemberEnd() || it->value.IsNull())
    return true;
  if (!it->value.IsObject()) {
    *error = apiError(400, "bad_request", "\"customHeaders\" must be an object of strings");
    return false;
  }
  for (const auto& member : it->value.GetObject()) {
    if (!member.value.IsString() || member.name.GetStringLength() == 0) {
      *error = apiError(400, "bad_request", "\"customHeaders\" must be an object of strings");
      return false;
    }
    std::string_view name(member.name.GetString(), member.name.GetStringLength());
    std::string_view value(member.value.GetString(), member.value.GetStringLength());
    if (!isHttpToken(name) || hasControl(value, std::string_view("\0", 1))) {
      *error = apiError(400, "bad_request",
                        "\"customHeaders\": \"" + std::string(name.substr(0, 64)) +
                            "\" is not a valid header (names are tokens, values one line)");
      return false;
    }
    out->emplace_back(member.name.GetString(), member.value.GetString());
  }
  return true;
}

// "postData" for a page load: a string as is, an object form-encoded.
bool readFormData(const rapidjson::Value& command, std::string* out, ApiReply* error) {
  auto data = command.FindMember("postData");
  if (data == command.MemberEnd() || data->value.IsNull())
    return true;
  if (data->value.IsString()) {
    *out = data->value.GetString();
    return true;
  }
  if (!data->value.IsObject()) {
    *error = apiError(400, "bad_request", "\"postData\" must be a string or an object");
    return false;
  }
  for (const auto& field : data->value.GetObject()) {
    std::string value = field.value.IsString() ? field.value.GetString() : toJson(field.value);
    std::string encodedName, encodedValue;
    Poco::URI::encode(field.name.GetString(), "&=+", encodedName);
    Poco::URI::encode(value, "&=+", encodedValue);
    *out += (out->empty() ? "" : "&") + encodedName + "=" + encodedValue;
  }
  return true;
}

// "requestType": "browser" (a page load, the default for get and post) or "request" (a plain
// HTTP request by the host, the only way for put, delete and patch).
bool readRequestType(const rapidjson::Value& command, const std::string& method, bool* plain,
                     ApiReply* error) {
  const bool pageMethod = method == "GET" || method == "POST";
  *plain = !pageMethod;
  auto type = command.FindMember("requestType");
  if (type == command.MemberEnd() || type->value.IsNull())
    return true;
  std::string_view asked = type->value.IsString() ? type->value.GetString() : "";
  if (asked == "request") {
    *plain = true;
    return true;
  }
  if (asked != "browser") {
    *error = apiError(400, "bad_request", "\"requestType\" must be \"browser\" or \"request\"");
    return false;
  }
  if (!pageMethod) {
    *error = apiError(400, "bad_request",
                      "a browser loads pages with GET or POST only; request." +
                          Poco::toLower(method) + " is sent with requestType \"request\"");
    return false;
  }
  return true;
}

// The plain request's own fields: body, timeout; and a refusal of what needs a page.
bool readPlainRequest(const rapidjson::Value& command, const PageRequest& page, PlainRequest* out,
                      ApiReply* error) {
  for (const char* pageOnly : {"browserActions", "screenshot", "cssSelector", "includeLinks",
                               "includeImages", "localStorage"}) {
    auto it = command.FindMember(pageOnly);
    if (it != command.MemberEnd() && !it->value.IsNull() && !it->value.IsFalse()) {
      *error = apiError(400, "bad_request",
                        std::string("\"") + pageOnly +
                            "\" needs requestType \"browser\": a plain request loads no page");
      return false;
    }
  }
  for (const auto& [name, value] : page.headers)
    for (const char* hostOwned :
         {"Host", "Content-Length", "Transfer-Encoding", "Connection", "Cookie"})
      if (Poco::icompare(name, hostOwned) == 0) {
        *error = apiError(400, "bad_request",
                          "\"customHeaders\" cannot set " + std::string(hostOwned) +
                              " on a plain request: the host sets it (cookies go in \"cookies\" "
                              "or \"cookiejar\")");
        return false;
      }
  out->url = page.url;
  out->headers = page.headers;
  out->cookies = page.cookies;
  out->listAllRedirects = page.listAllRedirects;
  auto data = command.FindMember("postData");
  if (data != command.MemberEnd() && !data->value.IsNull()) {
    if (data->value.IsObject() || data->value.IsArray()) {
      out->body = toJson(data->value);
      out->contentType = "application/json";
    } else if (data->value.IsString()) {
      out->body = data->value.GetString();
      rapidjson::Document probe;
      bool json = (!out->body.empty() && (out->body[0] == '{' || out->body[0] == '[')) &&
                  parseJson(out->body, &probe).isOk();
      out->contentType = json ? "application/json" : "application/x-www-form-urlencoded";
    } else {
      *error = apiError(400, "bad_request", "\"postData\" must be a string or an object");
      return false;
    }
  }
  return true;
}

// The request's one deadline: "timeout" (whole milliseconds, 1000-300000), else `fallback`.
bool readTimeout(const rapidjson::Value& command, std::chrono::milliseconds fallback,
                 std::chrono::milliseconds* out, ApiReply* error) {
  *out = fallback;
  auto timeout = command.FindMember("timeout");
  if (timeout == command.MemberEnd() || timeout->value.IsNull())
    return true;
  if (!timeout->value.IsInt() || timeout->value.GetInt() < 1000 ||
      timeout->value.GetInt() > 300000) {
    *error = apiError(400, "bad_request", "\"timeout\" must be whole milliseconds, 1000-300000");
    return false;
  }
  *out = std::chrono::milliseconds(timeout->value.GetInt());
  return true;
}

// Every goto URL among `actions` (nested ones too), checked against the policy.
Status precheckActions(const rapidjson::Value& actions, const TargetPolicy& policy) {
  if (!actions.IsArray())
    return Status::ok();
  for (const auto& action : actions.GetArray()) {
    if (!action.IsObject())
      continue;
    if (action.HasMember("url") && action["url"].IsString()) {
      Status status = precheckTarget(action["url"].GetString(), policy);
      if (!status.isOk())
        return status.withContext("browserActions goto");
    }
    for (const char* nested : {"then", "or"})
      if (action.HasMember(nested)) {
        Status status = precheckActions(action[nested], policy);
        if (!status.isOk())
          return status;
      }
  }
  return Status::ok();
}

} // namespace wdh
