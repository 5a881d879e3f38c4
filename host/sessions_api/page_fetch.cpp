#include "sessions_api/page_fetch.h"

#include "core/log.h"
#include "sessions_api/bidi_connection.h"
#include "sessions_api/browser_actions.h"
#include "sessions_api/navigation_record.h"
#include "sessions_api/webdriver_call.h"

#include "json/json.h"
#include <chrono>
#include <memory>

namespace wdh {
namespace {

// Submits `postData` to `url` as an application/x-www-form-urlencoded form from about:blank.
constexpr const char* kPostScript = R"(
const [url, data] = arguments;
const form = document.createElement('form');
form.method = 'POST';
form.action = url;
for (const pair of new URLSearchParams(data)) {
  const input = document.createElement('input');
  input.type = 'hidden'; input.name = pair[0]; input.value = pair[1];
  form.appendChild(input);
}
document.body.appendChild(form);
form.submit();
)";

// Everything read back from the page in one round trip.
constexpr const char* kReadScript = R"(
const nav = performance.getEntriesByType('navigation')[0];
return {
  status: nav && typeof nav.responseStatus === 'number' ? nav.responseStatus : null,
  url: location.href,
  userAgent: navigator.userAgent,
  text: document.body ? document.body.innerText : '',
  html: document.documentElement ? document.documentElement.outerHTML : '',
  ready: document.readyState,
  blank: location.href === 'about:blank',
  localStorage: (() => { try { return Object.fromEntries(Object.entries(localStorage)); }
                         catch (e) { return {}; } })()
};
)";

// What the request asked for besides the page: one element's HTML, links and images.
constexpr const char* kExtrasScript = R"(
const [css, links, images] = arguments;
const out = {};
if (css) { const e = document.querySelector(css); out.html = e ? e.outerHTML : null; }
if (links) out.links = Array.from(document.querySelectorAll('a[href]'), a => a.href);
if (images) out.images = Array.from(document.querySelectorAll('img[src]'), i => i.src);
return out;
)";

std::string scriptBody(const char* script, const rapidjson::Value& args) {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("script", rapidjson::Value(script, a), a);
  doc.AddMember("args", rapidjson::Value(args, a), a);
  return toJson(doc);
}

// Sets extra headers on every request of the session's browser through Chrome's DevTools
// (chromedriver's goog/cdp/execute); an empty list clears them.
Status setHeadersOverDevTools(WebDriverCalls& session,
                              const std::vector<std::pair<std::string, std::string>>& headers) {
  rapidjson::Document ignored;
  Status status = webdriverCall(session, "POST", "/goog/cdp/execute",
                                R"({"cmd":"Network.enable","params":{}})", &ignored);
  if (!status.isOk())
    return Status(ErrorCode::InvalidArgument,
                  "customHeaders needs a chrome session or one with WebDriver BiDi (" +
                      status.message() + ")");
  rapidjson::Document body(rapidjson::kObjectType);
  auto& a = body.GetAllocator();
  rapidjson::Value map(rapidjson::kObjectType);
  for (const auto& [name, value] : headers)
    map.AddMember(rapidjson::Value(name.c_str(), a), rapidjson::Value(value.c_str(), a), a);
  rapidjson::Value params(rapidjson::kObjectType);
  params.AddMember("headers", map, a);
  body.AddMember("cmd", "Network.setExtraHTTPHeaders", a);
  body.AddMember("params", params, a);
  return webdriverCall(session, "POST", "/goog/cdp/execute", toJson(body), &ignored);
}

// Sets extra headers on every request of the session's current window with WebDriver BiDi's
// network.setExtraHeaders (every browser with BiDi); an empty list clears them. Drivers without
// the command fall back to DevTools.
Status setExtraHeaders(WebDriverCalls& session, const std::string& bidiUrl,
                       const std::vector<std::pair<std::string, std::string>>& headers) {
  if (bidiUrl.empty())
    return setHeadersOverDevTools(session, headers);
  rapidjson::Document handle;
  Status status = webdriverCall(session, "GET", "/window", "", &handle);
  if (status.isOk() && !handle.IsString())
    status = Status(ErrorCode::UnknownError, "Get Window Handle gave no string");
  std::unique_ptr<BidiConnection> bidi;
  if (status.isOk())
    status = BidiConnection::open(bidiUrl, std::chrono::seconds(15), &bidi);
  if (!status.isOk())
    return status.withContext("customHeaders");
  rapidjson::Document params(rapidjson::kObjectType);
  auto& a = params.GetAllocator();
  rapidjson::Value list(rapidjson::kArrayType);
  for (const auto& [name, value] : headers) {
    rapidjson::Value header(rapidjson::kObjectType);
    rapidjson::Value text(rapidjson::kObjectType);
    text.AddMember("type", "string", a);
    text.AddMember("value", rapidjson::Value(value.c_str(), a), a);
    header.AddMember("name", rapidjson::Value(name.c_str(), a), a);
    header.AddMember("value", text, a);
    list.PushBack(header, a);
  }
  params.AddMember("headers", list, a);
  rapidjson::Value contexts(rapidjson::kArrayType);
  contexts.PushBack(rapidjson::Value(handle.GetString(), a), a);
  params.AddMember("contexts", contexts, a);
  rapidjson::Document result;
  status = bidi->call("network.setExtraHeaders", params, &result, {}, std::chrono::seconds(30));
  if (status.code() == ErrorCode::UnknownCommand)
    return setHeadersOverDevTools(session, headers);
  return status.withContext("customHeaders");
}

// Adds `cookies` while the browser is on the URL's site (WebDriver sets cookies for the
// current document's domain only).
Status addCookies(WebDriverCalls& session, const std::vector<PageCookie>& cookies) {
  rapidjson::Document ignored;
  for (const PageCookie& cookie : cookies) {
    rapidjson::Document body(rapidjson::kObjectType);
    auto& a = body.GetAllocator();
    rapidjson::Value value(rapidjson::kObjectType);
    value.AddMember("name", rapidjson::Value(cookie.name.c_str(), a), a);
    value.AddMember("value", rapidjson::Value(cookie.value.c_str(), a), a);
    value.AddMember("path", rapidjson::Value(cookie.path.empty() ? "/" : cookie.path.c_str(), a),
                    a);
    if (!cookie.domain.empty())
      value.AddMember("domain", rapidjson::Value(cookie.domain.c_str(), a), a);
    body.AddMember("cookie", value, a);
    Status status = webdriverCall(session, "POST", "/cookie", toJson(body), &ignored);
    if (!status.isOk())
      return Status(ErrorCode::InvalidArgument,
                    "the cookie " + cookie.name + " could not be set: " + status.message());
  }
  return Status::ok();
}

// Sets `items` in the current site's localStorage.
Status setLocalStorage(WebDriverCalls& session,
                       const std::vector<std::pair<std::string, std::string>>& items) {
  rapidjson::Document args(rapidjson::kArrayType);
  rapidjson::Value map(rapidjson::kObjectType);
  auto& a = args.GetAllocator();
  for (const auto& [key, value] : items)
    map.AddMember(rapidjson::Value(key.c_str(), a), rapidjson::Value(value.c_str(), a), a);
  args.PushBack(map, a);
  rapidjson::Document ignored;
  Status status = runScript(session,
                            "for (const [k, v] of Object.entries(arguments[0])) "
                            "localStorage.setItem(k, v);",
                            toJson(args), &ignored);
  if (!status.isOk())
    return Status(ErrorCode::InvalidArgument,
                  "localStorage could not be set on this site: " + status.message());
  return status;
}

Status loadPage(WebDriverCalls& session, const PageRequest& request,
                const RequestDeadline& deadline, rapidjson::Document* solution);

// Starts recording the main document's network exchange on the session's current window; null
// (and a log line) when it cannot: the page still loads, without those fields.
std::unique_ptr<NavigationRecorder> startRecorder(WebDriverCalls& session,
                                                  const std::string& bidiUrl) {
  std::unique_ptr<NavigationRecorder> recorder;
  rapidjson::Document handle;
  Status status = webdriverCall(session, "GET", "/window", "", &handle);
  if (status.isOk() && !handle.IsString())
    status = Status(ErrorCode::UnknownError, "Get Window Handle gave no string");
  if (status.isOk())
    status = NavigationRecorder::start(bidiUrl, handle.GetString(), &recorder);
  if (!status.isOk()) {
    log(LogLevel::Warn, "api",
        "session " + session.sessionId() +
            ": the main document's headers are not recorded: " + status.message());
    recorder.reset();
  }
  return recorder;
}

// Adds what the recorder saw to `solution`: method, requestHeaders, responseHeaders and the
// real statusCode of the final document, and the whole chain when `allRedirects`.
void addDocumentExchange(NavigationRecorder& recorder, bool allRedirects,
                         rapidjson::Document* solution) {
  std::vector<DocumentHop> chain;
  Status status = recorder.finish(&chain);
  if (!status.isOk())
    log(LogLevel::Warn, "api",
        "the main document's network record is incomplete: " + status.message());
  addExchange(chain, allRedirects, solution);
}

} // namespace

Status fetchPage(WebDriverCalls& session, const PageRequest& request,
                 const RequestDeadline& deadline, rapidjson::Document* solution) {
  rapidjson::Document ignored;
  if (!request.headers.empty()) {
    Status status = setExtraHeaders(session, request.bidiUrl, request.headers);
    if (!status.isOk())
      return status;
  }
  Status status = Status::ok();
  if (!request.cookies.empty() || !request.localStorage.empty()) {
    // Cookies and storage belong to a site: open it, set them, then load the page for real.
    status = webdriverCall(session, "POST", "/url", "{\"url\":" + quoteJson(request.url) + "}",
                           &ignored);
    if (status.isOk())
      status = addCookies(session, request.cookies);
    if (status.isOk() && !request.localStorage.empty())
      status = setLocalStorage(session, request.localStorage);
  }
  ActionResults unused;
  if (status.isOk() && request.actions != nullptr)
    status = runActions(session, *request.actions, ActionPhase::BeforeLoad, deadline, &unused);
  if (status.isOk())
    status = deadline.check();
  std::unique_ptr<NavigationRecorder> recorder;
  if (status.isOk() && !request.bidiUrl.empty())
    recorder = startRecorder(session, request.bidiUrl);
  if (status.isOk())
    status = loadPage(session, request, deadline, solution);
  if (status.isOk() && recorder)
    addDocumentExchange(*recorder, request.listAllRedirects, solution);
  if (!request.headers.empty()) {
    Status cleared = setExtraHeaders(session, request.bidiUrl, {});
    if (status.isOk() && !cleared.isOk())
      status = cleared;
  }
  return status;
}

namespace {

Status loadPage(WebDriverCalls& session, const PageRequest& request,
                const RequestDeadline& deadline, rapidjson::Document* solution) {
  rapidjson::Document ignored;
  rapidjson::Document none(rapidjson::kArrayType);
  if (!request.post) {
    Status status = webdriverCall(session, "POST", "/url",
                                  "{\"url\":" + quoteJson(request.url) + "}", &ignored);
    if (!status.isOk())
      return status;
  } else {
    Status status = webdriverCall(session, "POST", "/url", R"({"url":"about:blank"})", &ignored);
    if (!status.isOk())
      return status;
    rapidjson::Document args(rapidjson::kArrayType);
    args.PushBack(rapidjson::Value(request.url.c_str(), args.GetAllocator()), args.GetAllocator());
    args.PushBack(rapidjson::Value(request.postData.c_str(), args.GetAllocator()),
                  args.GetAllocator());
    status =
        webdriverCall(session, "POST", "/execute/sync", scriptBody(kPostScript, args), &ignored);
    if (!status.isOk())
      return status;
  }

  // After a form submit WebDriver does not wait for the new page: wait (bounded) until it is
  // there and loaded.
  rapidjson::Document page;
  for (int attempt = 0; attempt < 300; ++attempt) {
    Status status =
        webdriverCall(session, "POST", "/execute/sync", scriptBody(kReadScript, none), &page);
    if (!status.isOk())
      return status;
    bool loaded = page.IsObject() && page.HasMember("ready") && page["ready"].IsString() &&
                  std::string_view(page["ready"].GetString()) == "complete" &&
                  !(page.HasMember("blank") && page["blank"].IsTrue());
    if (!request.post || loaded)
      break;
    status = deadline.sleep(std::chrono::milliseconds(100));
    if (!status.isOk())
      return status.withContext("waiting for the form's answer");
  }
  if (!page.IsObject())
    return Status(ErrorCode::UnknownError, "the page could not be read back");

  ActionResults results;
  if (request.actions != nullptr) {
    Status status =
        runActions(session, *request.actions, ActionPhase::AfterLoad, deadline, &results);
    if (!status.isOk())
      return status;
    // The page as the actions left it.
    rapidjson::Document after;
    status = webdriverCall(session, "POST", "/execute/sync", scriptBody(kReadScript, none), &after);
    if (!status.isOk())
      return status;
    if (after.IsObject())
      page.Swap(after);
  }
  if (Status alive = deadline.check(); !alive.isOk())
    return alive;
  rapidjson::Document extras;
  if (!request.cssSelector.empty() || request.includeLinks || request.includeImages) {
    rapidjson::Document args(rapidjson::kArrayType);
    auto& x = args.GetAllocator();
    args.PushBack(rapidjson::Value(request.cssSelector.c_str(), x), x);
    args.PushBack(request.includeLinks, x);
    args.PushBack(request.includeImages, x);
    Status status =
        webdriverCall(session, "POST", "/execute/sync", scriptBody(kExtrasScript, args), &extras);
    if (!status.isOk())
      return status;
  }
  rapidjson::Document screenshot;
  if (request.screenshot) {
    if (request.screenshotWidth > 0 && request.screenshotHeight > 0) {
      rapidjson::Document viewport;
      viewport.Parse(
          ("[{\"type\":\"set_viewport\",\"width\":" + std::to_string(request.screenshotWidth) +
           ",\"height\":" + std::to_string(request.screenshotHeight) + "}]")
              .c_str());
      ActionResults none2;
      Status status = runActions(session, viewport, ActionPhase::AfterLoad, deadline, &none2);
      if (!status.isOk())
        return status;
    }
    Status status = webdriverCall(session, "GET", "/screenshot", "", &screenshot);
    if (!status.isOk())
      return status;
  }

  rapidjson::Document cookies;
  Status status = webdriverCall(session, "GET", "/cookie", "", &cookies);
  if (!status.isOk())
    return status;
  std::string cookieString;
  if (cookies.IsArray())
    for (const auto& cookie : cookies.GetArray())
      if (cookie.IsObject() && cookie.HasMember("name") && cookie.HasMember("value") &&
          cookie["name"].IsString() && cookie["value"].IsString())
        cookieString += (cookieString.empty() ? "" : "; ") +
                        std::string(cookie["name"].GetString()) + "=" + cookie["value"].GetString();

  rapidjson::Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  auto copy = [&](const char* from, const char* to) {
    if (page.HasMember(from))
      out.AddMember(rapidjson::Value(to, a), rapidjson::Value(page[from], a), a);
    else
      out.AddMember(rapidjson::Value(to, a), rapidjson::Value(), a);
  };
  out.AddMember("verified", true, a);
  out.AddMember("type", "browser", a);
  copy("html", "response");
  copy("status", "statusCode");
  copy("url", "currentUrl");
  copy("userAgent", "userAgent");
  out.AddMember("cookies",
                cookies.IsArray() ? rapidjson::Value(cookies, a)
                                  : rapidjson::Value(rapidjson::kArrayType),
                a);
  out.AddMember("cookieString", rapidjson::Value(cookieString.c_str(), a), a);
  copy("text", "innerText");
  copy("localStorage", "localStorageData");
  if (request.actions != nullptr) {
    rapidjson::Value returns(rapidjson::kArrayType);
    for (const std::string& json : results.javascriptReturn) {
      rapidjson::Document value;
      value.Parse(json.c_str(), json.size());
      returns.PushBack(rapidjson::Value(value, a), a);
    }
    out.AddMember("javascriptReturn", returns, a);
  }
  if (extras.IsObject()) {
    if (extras.HasMember("html"))
      out["response"].CopyFrom(extras["html"], a);
    for (const char* key : {"links", "images"})
      if (extras.HasMember(key))
        out.AddMember(rapidjson::StringRef(key), rapidjson::Value(extras[key], a), a);
  }
  if (screenshot.IsString())
    out.AddMember("screenshot", rapidjson::Value(screenshot, a), a);
  solution->Swap(out);
  return Status::ok();
}

} // namespace
} // namespace wdh
