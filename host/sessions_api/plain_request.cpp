#include "sessions_api/plain_request.h"

#include "core/base64.h"
#include "core/log.h"
#include "sessions_api/bidi_connection.h"
#include "sessions_api/cookie_rules.h"
#include "sessions_api/http_exchange.h"
#include "sessions_api/webdriver_call.h"

#include "json/json.h"
#include <Poco/String.h>
#include <Poco/TextIterator.h>
#include <Poco/UTF8Encoding.h>
#include <algorithm>

namespace wdh {
namespace {

constexpr std::chrono::seconds kBidiTimeout{15};
constexpr std::chrono::seconds kBidiDeadline{30};

std::int64_t nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool isUtf8(const std::string& text) {
  Poco::UTF8Encoding utf8;
  Poco::TextIterator it(text, utf8);
  Poco::TextIterator end(text);
  for (; it != end; ++it)
    if (*it < 0)
      return false;
  return true;
}

// The session's cookies, every site's (storage.getCookies of the default partition).
Status readJar(BidiConnection& bidi, std::vector<StoredCookie>* jar) {
  rapidjson::Document params(rapidjson::kObjectType), result;
  Status status = bidi.call("storage.getCookies", params, &result, {}, kBidiDeadline);
  if (!status.isOk())
    return status;
  if (result.IsObject() && result.HasMember("cookies") && result["cookies"].IsArray())
    for (const auto& item : result["cookies"].GetArray()) {
      StoredCookie cookie;
      if (cookieFromBidi(item, &cookie))
        jar->push_back(std::move(cookie));
    }
  return Status::ok();
}

// Writes `cookie` into the browser; an expired one is deleted there.
Status writeCookie(BidiConnection& bidi, const StoredCookie& cookie, std::int64_t now) {
  rapidjson::Document params(rapidjson::kObjectType), result;
  auto& a = params.GetAllocator();
  if (cookie.expiry >= 0 && cookie.expiry <= now) {
    rapidjson::Value filter(rapidjson::kObjectType);
    std::string domain = cookie.hostOnly ? cookie.domain : "." + cookie.domain;
    filter.AddMember("name", rapidjson::Value(cookie.name.c_str(), a), a);
    filter.AddMember("domain", rapidjson::Value(domain.c_str(), a), a);
    filter.AddMember("path", rapidjson::Value(cookie.path.c_str(), a), a);
    params.AddMember("filter", filter, a);
    return bidi.call("storage.deleteCookies", params, &result, {}, kBidiDeadline);
  }
  rapidjson::Value value;
  cookieToBidi(cookie, &value, a);
  params.AddMember("cookie", value, a);
  return bidi.call("storage.setCookie", params, &result, {}, kBidiDeadline);
}

// Browser-like request headers for `userAgent`, with the client's `custom` ones replacing them
// by name.
HeaderLines requestHeaders(const std::string& userAgent, const PlainRequest& request) {
  HeaderLines lines = {
      {"User-Agent", userAgent},
      {"Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
      {"Accept-Language", "en-US,en;q=0.9"},
      {"Accept-Encoding", "gzip, deflate"},
  };
  if (!request.body.empty() && !request.contentType.empty())
    lines.emplace_back("Content-Type", request.contentType);
  for (const auto& [name, value] : request.headers) {
    std::string lower = Poco::toLower(name);
    lines.erase(
        std::remove_if(lines.begin(), lines.end(),
                       [&](const auto& line) { return Poco::toLower(line.first) == lower; }),
        lines.end());
    lines.emplace_back(name, value);
  }
  return lines;
}

} // namespace

Status requestPlain(WebDriverCalls& session, const PlainRequest& request,
                    rapidjson::Document* solution) {
  if (request.bidiUrl.empty())
    return Status(ErrorCode::InvalidArgument,
                  "requestType \"request\" needs the session's WebDriver BiDi, to send its "
                  "cookies: use a chrome or firefox session created with \"webSocketUrl\": true "
                  "(the default)");
  rapidjson::Document agent;
  Status status = runScript(session, "return navigator.userAgent;", "[]", &agent);
  if (!status.isOk())
    return status;
  std::string userAgent = agent.IsString() ? agent.GetString() : "";

  std::unique_ptr<BidiConnection> bidi;
  status = BidiConnection::open(request.bidiUrl, kBidiTimeout, &bidi);
  std::vector<StoredCookie> jar;
  if (status.isOk())
    status = readJar(*bidi, &jar);
  if (!status.isOk())
    return status.withContext("the session's cookies");

  const std::int64_t now = nowSeconds();
  Poco::URI target(request.url);
  std::vector<StoredCookie> changed;
  for (const PageCookie& given : request.cookies) {
    StoredCookie cookie;
    cookie.name = given.name;
    cookie.value = given.value;
    cookie.domain = Poco::toLower(given.domain.empty() ? target.getHost() : given.domain);
    cookie.hostOnly = given.domain.empty();
    if (!cookie.domain.empty() && cookie.domain[0] == '.')
      cookie.domain.erase(0, 1);
    cookie.path = given.path.empty() ? "/" : given.path;
    storeCookie(&jar, cookie, now);
    changed.push_back(cookie);
  }

  HttpExchangeRequest exchange;
  exchange.method = request.method;
  exchange.url = request.url;
  exchange.headers = requestHeaders(userAgent, request);
  exchange.body = request.body;
  exchange.upstream = request.upstream;
  exchange.policy = request.policy;
  exchange.allowed = request.allowed;
  exchange.timeout = request.timeout;
  exchange.cookiesFor = [&jar](const Poco::URI& url) { return cookieHeaderFor(jar, url); };
  exchange.received = [&](const Poco::URI& url, const Poco::Net::HTTPResponse& head) {
    for (auto it = head.find("Set-Cookie");
         it != head.end() && Poco::icompare(it->first, "Set-Cookie") == 0; ++it) {
      StoredCookie cookie;
      if (parseSetCookie(it->second, url, now, &cookie)) {
        storeCookie(&jar, cookie, now);
        changed.push_back(cookie);
      }
    }
  };
  HttpExchangeResult result;
  Status sent = httpExchange(exchange, &result);
  // The browser keeps what was stored, also when the exchange failed half-way.
  for (const StoredCookie& cookie : changed) {
    Status written = writeCookie(*bidi, cookie, now);
    if (!written.isOk())
      log(LogLevel::Warn, "api",
          "session " + session.sessionId() + ": the cookie " + cookie.name +
              " was not kept: " + written.message());
  }
  if (!sent.isOk())
    return sent;

  rapidjson::Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  out.AddMember("verified", true, a);
  out.AddMember("type", "request", a);
  if (isUtf8(result.body)) {
    out.AddMember("response",
                  rapidjson::Value(result.body.data(),
                                   static_cast<rapidjson::SizeType>(result.body.size()), a),
                  a);
  } else {
    out.AddMember("response", rapidjson::Value(base64Encode(result.body).c_str(), a), a);
    out.AddMember("responseEncoding", "base64", a);
  }
  out.AddMember("currentUrl", rapidjson::Value(result.finalUrl.c_str(), a), a);
  out.AddMember("userAgent", rapidjson::Value(userAgent.c_str(), a), a);
  Poco::URI finalUrl(result.finalUrl);
  rapidjson::Value cookies(rapidjson::kArrayType);
  for (const StoredCookie& cookie : jar)
    if (cookieApplies(cookie, finalUrl)) {
      rapidjson::Value item;
      cookieToReply(cookie, &item, a);
      cookies.PushBack(item, a);
    }
  out.AddMember("cookies", cookies, a);
  out.AddMember("cookieString", rapidjson::Value(cookieHeaderFor(jar, finalUrl).c_str(), a), a);
  addExchange(result.chain, request.listAllRedirects, &out);
  solution->Swap(out);
  return Status::ok();
}

} // namespace wdh
