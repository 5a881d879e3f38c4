// Reading a sessions-API command: each field the clients send, checked, into what the request
// runs on; every refusal is the API's own 400 saying which field is wrong. Pure: no session,
// no network.
#pragma once

#include "proxy/target_policy.h"
#include "sessions_api/api_reply.h"
#include "sessions_api/page_fetch.h"
#include "sessions_api/plain_request.h"

#include <chrono>
#include <rapidjson/document.h>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wdh {

// The "session" member: a non-empty string (false with `*error` when it is not, or when it is
// `required` and absent).
bool sessionOf(const rapidjson::Value& command, bool required, std::string* id, ApiReply* error);
// "cookiejar": [{"key" or "name", "value", "domain"?, "path"?}], as the clients send it.
bool readCookieJar(const rapidjson::Value& command, std::vector<PageCookie>* out, ApiReply* error);
// "cookies": "a=1; b=2", or [{"name","value","domain"?,"path"?}].
bool readCookies(const rapidjson::Value& command, std::vector<PageCookie>* out, ApiReply* error);
// The output options: screenshot (+ size), cssSelector, includeLinks, includeImages, and the
// localStorage to set first.
bool readOutputs(const rapidjson::Value& command, PageRequest* page, ApiReply* error);
// "customHeaders": {"Name": "value", ...}, each a valid header.
bool readHeaders(const rapidjson::Value& command,
                 std::vector<std::pair<std::string, std::string>>* out, ApiReply* error);
// "postData" for a page load: a string as is, an object form-encoded.
bool readFormData(const rapidjson::Value& command, std::string* out, ApiReply* error);
// "requestType": "browser" (a page load, the default for get and post) or "request" (a plain
// HTTP request by the host, the only way for put, delete and patch).
bool readRequestType(const rapidjson::Value& command, const std::string& method, bool* plain,
                     ApiReply* error);
// The plain request's own fields (body and its type), and a refusal of what needs a page.
bool readPlainRequest(const rapidjson::Value& command, const PageRequest& page, PlainRequest* out,
                      ApiReply* error);
// The request's one deadline: "timeout" (whole milliseconds, 1000-300000), else `fallback`.
bool readTimeout(const rapidjson::Value& command, std::chrono::milliseconds fallback,
                 std::chrono::milliseconds* out, ApiReply* error);
// Every goto URL among `actions` (nested ones too), checked against `policy`.
Status precheckActions(const rapidjson::Value& actions, const TargetPolicy& policy);

} // namespace wdh
