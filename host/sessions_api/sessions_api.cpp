#include "sessions_api/sessions_api.h"

#include "core/log.h"
#include "core/uuid.h"
#include "http/token.h"
#include "proxy/forwarding_proxy.h"
#include "sessions_api/browser_actions.h"
#include "sessions_api/chrome_presentation.h"
#include "sessions_api/create_plan.h"
#include "sessions_api/device_profiles.h"
#include "sessions_api/fingerprint.h"
#include "sessions_api/page_fetch.h"
#include "sessions_api/plain_request.h"
#include "sessions_api/request_deadline.h"
#include "sessions_api/target_url.h"
#include "sessions_api/webdriver_call.h"

#include "json/json.h"
#include <Poco/String.h>
#include <Poco/URI.h>
#include <algorithm>
#include <chrono>

namespace wdh {
namespace {

// Adds the session's "webSocketUrl" (BiDi) and "cdpUrl" (CDP), where it has them, to `out`.
void addWebSocketUrls(const std::shared_ptr<Session>& session, rapidjson::Value* out,
                      rapidjson::Document::AllocatorType& a) {
  if (!session)
    return;
  const SessionSockets& sockets = session->sockets();
  if (!sockets.publicBidi.empty())
    out->AddMember("webSocketUrl", rapidjson::Value(sockets.publicBidi.c_str(), a), a);
  if (!sockets.publicCdp.empty())
    out->AddMember("cdpUrl", rapidjson::Value(sockets.publicCdp.c_str(), a), a);
}

// Runs a function when the scope ends (also by an exception).
class EndOfScope {
public:
  explicit EndOfScope(std::function<void()> run) : run_(std::move(run)) {}
  ~EndOfScope() { run_(); }
  EndOfScope(const EndOfScope&) = delete;
  EndOfScope& operator=(const EndOfScope&) = delete;

private:
  std::function<void()> run_;
};

// Whether `text` holds a control character (CR, LF, NUL, ...), or one of `also`.
bool hasControl(std::string_view text, std::string_view also = {}) {
  return std::any_of(text.begin(), text.end(), [&](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f || also.find(c) != std::string_view::npos;
  });
}

// What a request may take once its session is ready, unless its "timeout" says otherwise.
constexpr std::chrono::milliseconds kPlainTimeout{60000};
constexpr std::chrono::milliseconds kPageTimeout{180000};

constexpr const char* kKnownCommands =
    "sessions.create, sessions.destroy, sessions.list, sessions.active, request.get, "
    "request.post, request.put, request.delete, request.patch";

// Milliseconds since `start`.
std::int64_t elapsedMs(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

ApiReply success(rapidjson::Document& doc, std::chrono::steady_clock::time_point start) {
  auto& a = doc.GetAllocator();
  doc.AddMember("data", "success", a);
  doc.AddMember("timeElapsed", elapsedMs(start), a);
  return ApiReply{200, toJson(doc)};
}

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

} // namespace

SessionsApi::SessionsApi(SessionService& service, const PluginRegistry& registry,
                         std::vector<PooledProxy> pool, TargetPolicy policy)
    : service_(service), registry_(registry), pool_(std::move(pool)), policy_(std::move(policy)) {}

ApiReply SessionsApi::handle(std::string_view body, const std::function<bool()>& clientGone,
                             std::string_view webSocketBase, std::string_view clientAddress) {
  rapidjson::Document command;
  Status status = parseJsonObject(body, &command);
  if (!status.isOk())
    return apiError(400, "bad_request", status.message());
  auto cmd = command.FindMember("cmd");
  if (cmd == command.MemberEnd() || !cmd->value.IsString())
    return apiError(400, "bad_request",
                    std::string("the body needs \"cmd\", one of: ") + kKnownCommands);
  std::string_view name(cmd->value.GetString(), cmd->value.GetStringLength());
  try {
    if (name == "sessions.create")
      return create(command, clientGone, webSocketBase, clientAddress);
    if (name == "sessions.destroy")
      return destroy(command);
    if (name == "sessions.list")
      return list();
    if (name == "sessions.active")
      return active(command);
    for (const char* method : {"GET", "POST", "PUT", "DELETE", "PATCH"})
      if (name == "request." + Poco::toLower(std::string(method)))
        return request(command, method, clientGone, webSocketBase, clientAddress);
  } catch (const std::exception& e) {
    log(LogLevel::Error, "api", std::string(name) + " failed: " + e.what());
    return apiError(500, "internal_error", e.what());
  }
  return apiError(400, "unknown_command",
                  "unknown cmd \"" + std::string(name.substr(0, 64)) +
                      "\"; known: " + kKnownCommands);
}

ApiReply SessionsApi::create(const rapidjson::Value& command,
                             const std::function<bool()>& clientGone,
                             std::string_view webSocketBase, std::string_view clientAddress) {
  auto start = std::chrono::steady_clock::now();
  CreatePlan plan;
  Status status = parseCreatePlan(command, &plan);
  if (!status.isOk())
    return apiErrorFrom(status);
  if (!plan.sessionId.empty() && service_.exists(plan.sessionId))
    return apiError(409, "session_exists",
                    "a session with the id " + plan.sessionId + " is already live");
  // The id is fixed now, so that the session's forwarding proxy serves its processes alone.
  if (plan.sessionId.empty())
    plan.sessionId = randomUuid();
  SessionNetwork network;
  SessionService* service = &service_;
  std::string owner = plan.sessionId;
  status = prepareNetwork(
      plan, pool_, policy_, [service, owner](int fd) { return service->isSessionPeer(owner, fd); },
      &network);
  if (!status.isOk())
    return apiErrorFrom(status);
  std::string body;
  status = buildCreateCapabilities(command, plan, registry_.plugins(), network.proxyCapability,
                                   network.local != nullptr, &body);
  if (!status.isOk())
    return apiErrorFrom(status);

  NewSessionRequest request;
  request.sessionId = plan.sessionId;
  request.clientGone = clientGone;
  request.attachment = network.local;
  request.webSocketBase = webSocketBase;
  request.api = "sessions";
  request.clientAddress = clientAddress;
  request.hostMadeCapabilities = true; // buildCreateCapabilities forwards no client's paths
  std::string response, id;
  status = service_.newSession(body, request, &response, &id);
  if (!status.isOk())
    return apiErrorFrom(status);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    // Forget the proxies of sessions that ended by themselves, then add this one's.
    for (auto it = networks_.begin(); it != networks_.end();)
      it = service_.exists(it->first) ? std::next(it) : networks_.erase(it);
    networks_[id] = SessionRoute{network.local, network.upstream};
  }

  rapidjson::Document created;
  if (!parseJsonObject(response, &created).isOk())
    return apiError(500, "launch_failed", "the new session's reply could not be read");
  const rapidjson::Value& caps = created["value"]["capabilities"];
  std::string browser = caps.HasMember("browserName") && caps["browserName"].IsString()
                            ? caps["browserName"].GetString()
                            : "";
  if (browser == "chrome") {
    std::string version = caps.HasMember("browserVersion") && caps["browserVersion"].IsString()
                              ? caps["browserVersion"].GetString()
                              : "";
    SessionCalls calls(service_, id);
    Status presented = presentOnChrome(calls, Presentation{browser, plan.os, plan.mobile, version},
                                       plan.webSocket);
    if (!presented.isOk()) {
      service_.deleteSession(id);
      return apiError(500, "launch_failed",
                      "the session could not present the device: " + presented.message());
    }
  }

  rapidjson::Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  rapidjson::Value solution(rapidjson::kObjectType);
  solution.AddMember("verified", true, a);
  out.AddMember("solution", solution, a);
  out.AddMember("session", rapidjson::Value(id.c_str(), a), a);
  addWebSocketUrls(service_.find(id), &out, a);
  rapidjson::Document fingerprint;
  if (parseJsonObject(fingerprintOf(id, caps, plan.mobile), &fingerprint).isOk())
    out.AddMember("fingerprint", rapidjson::Value(fingerprint, a), a);
  unsigned char guid[16];
  secureRandom(guid, sizeof guid);
  std::string hex;
  for (unsigned char byte : guid) {
    static constexpr char kHex[] = "0123456789abcdef";
    hex.push_back(kHex[byte >> 4]);
    hex.push_back(kHex[byte & 0x0F]);
  }
  rapidjson::Value context(rapidjson::kObjectType);
  context.AddMember("_type", "BrowserContext", a);
  context.AddMember("_guid", rapidjson::Value(("browser-context@" + hex).c_str(), a), a);
  out.AddMember("context", context, a);
  log(LogLevel::Info, "api", "sessions.create " + id + " on " + browser);
  return success(out, start);
}

// What the page reports about itself; the fingerprint is read back, never assumed.
constexpr const char* kFingerprintScript = R"(
const done = arguments[arguments.length - 1];
const d = navigator.userAgentData;
const base = {userAgent: navigator.userAgent, platform: navigator.platform,
  languages: navigator.languages, width: window.innerWidth, height: window.innerHeight,
  outerWidth: window.outerWidth, outerHeight: window.outerHeight,
  screenWidth: screen.width, screenHeight: screen.height,
  devicePixelRatio: window.devicePixelRatio, maxTouchPoints: navigator.maxTouchPoints};
if (!d) { done(base); return; }
base.userAgentData = {brands: d.brands, mobile: d.mobile, platform: d.platform};
d.getHighEntropyValues(['platformVersion', 'architecture', 'bitness', 'model',
                        'fullVersionList'])
  .then(high => { base.userAgentData.highEntropy = high; done(base); }, () => done(base));
)";

std::string SessionsApi::fingerprintOf(const std::string& id, const rapidjson::Value& caps,
                                       bool mobile) {
  rapidjson::Document seen;
  rapidjson::Document body(rapidjson::kObjectType);
  body.AddMember("script", rapidjson::StringRef(kFingerprintScript), body.GetAllocator());
  body.AddMember("args", rapidjson::Value(rapidjson::kArrayType), body.GetAllocator());
  SessionCalls calls(service_, id);
  if (!webdriverCall(calls, "POST", "/execute/async", toJson(body), &seen).isOk())
    seen.SetNull();
  rapidjson::Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  for (const char* key : {"browserName", "browserVersion", "platformName"})
    if (caps.HasMember(key))
      out.AddMember(rapidjson::StringRef(key), rapidjson::Value(caps[key], a), a);
  out.AddMember("device", rapidjson::StringRef(mobile ? "mobile" : "desktop"), a);
  if (seen.IsObject()) {
    for (const char* key : {"userAgent", "platform", "languages", "maxTouchPoints",
                            "devicePixelRatio", "userAgentData"})
      if (seen.HasMember(key))
        out.AddMember(rapidjson::StringRef(key), rapidjson::Value(seen[key], a), a);
    auto pair = [&](const char* name, const char* width, const char* height) {
      rapidjson::Value size(rapidjson::kObjectType);
      if (seen.HasMember(width) && seen.HasMember(height)) {
        size.AddMember("width", rapidjson::Value(seen[width], a), a);
        size.AddMember("height", rapidjson::Value(seen[height], a), a);
      }
      out.AddMember(rapidjson::StringRef(name), size, a);
    };
    pair("viewport", "width", "height");
    pair("window", "outerWidth", "outerHeight");
    pair("screen", "screenWidth", "screenHeight");
  }
  return toJson(out);
}

ApiReply SessionsApi::destroy(const rapidjson::Value& command) {
  auto start = std::chrono::steady_clock::now();
  std::string id;
  ApiReply error;
  // scrappey-wrapper v1 sends {"data": {"session": id}}.
  auto data = command.FindMember("data");
  bool nested = !command.HasMember("session") && data != command.MemberEnd() &&
                data->value.IsObject() && data->value.HasMember("session");
  if (!sessionOf(nested ? data->value : command, true, &id, &error))
    return error;
  Status status = service_.deleteSession(id);
  if (!status.isOk())
    return apiErrorFrom(status);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    networks_.erase(id);
  }
  rapidjson::Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  out.AddMember("solution", rapidjson::Value(rapidjson::kObjectType), a);
  out.AddMember("session", rapidjson::Value(id.c_str(), a), a);
  return success(out, start);
}

ApiReply SessionsApi::list() {
  auto start = std::chrono::steady_clock::now();
  rapidjson::Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  rapidjson::Value sessions(rapidjson::kArrayType);
  std::vector<SessionSummary> all = service_.list();
  for (const SessionSummary& summary : all) {
    rapidjson::Value entry(rapidjson::kObjectType);
    entry.AddMember("session", rapidjson::Value(summary.id.c_str(), a), a);
    entry.AddMember("lastAccessed", summary.lastAccessedMs, a);
    addWebSocketUrls(service_.find(summary.id), &entry, a);
    sessions.PushBack(entry, a);
  }
  out.AddMember("sessions", sessions, a);
  out.AddMember("open", static_cast<std::uint64_t>(all.size()), a);
  out.AddMember("limit", static_cast<std::uint64_t>(service_.maxSessions()), a);
  {
    // Forget the proxies of sessions that ended by themselves.
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = networks_.begin(); it != networks_.end();)
      it = service_.exists(it->first) ? std::next(it) : networks_.erase(it);
  }
  return success(out, start);
}

ApiReply SessionsApi::active(const rapidjson::Value& command) {
  auto start = std::chrono::steady_clock::now();
  std::string id;
  ApiReply error;
  if (!sessionOf(command, true, &id, &error))
    return error;
  rapidjson::Document out(rapidjson::kObjectType);
  out.AddMember("active", service_.exists(id), out.GetAllocator());
  out.AddMember("session", rapidjson::Value(id.c_str(), out.GetAllocator()), out.GetAllocator());
  return success(out, start);
}

void SessionsApi::allowNavigation(const std::string& id, const std::string& url) {
  std::shared_ptr<ForwardingProxy> proxy;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = networks_.find(id);
    if (it != networks_.end())
      proxy = it->second.local.lock();
  }
  if (proxy) {
    try {
      proxy->allowHost(Poco::URI(url).getHost());
    } catch (...) {
      // An unparsable URL is refused by the browser itself.
    }
  }
}

SessionsApi::SessionRoute SessionsApi::routeOf(const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = networks_.find(id);
  return it == networks_.end() ? SessionRoute{} : it->second;
}

void SessionsApi::allowActionNavigation(const std::string& id, const rapidjson::Value& actions) {
  if (!actions.IsArray())
    return;
  for (const auto& action : actions.GetArray()) {
    if (!action.IsObject())
      continue;
    if (action.HasMember("url") && action["url"].IsString())
      allowNavigation(id, action["url"].GetString());
    for (const char* nested : {"then", "or"})
      if (action.HasMember(nested))
        allowActionNavigation(id, action[nested]);
  }
}

ApiReply SessionsApi::request(const rapidjson::Value& command, const std::string& method,
                              const std::function<bool()>& clientGone,
                              std::string_view webSocketBase, std::string_view clientAddress) {
  auto start = std::chrono::steady_clock::now();
  auto url = command.FindMember("url");
  if (url == command.MemberEnd() || !url->value.IsString())
    return apiError(400, "bad_request", "this command needs \"url\": an http:// or https:// URL");
  PageRequest page;
  page.url = url->value.GetString();
  if (Status checked = checkApiUrl("url", page.url); !checked.isOk())
    return apiErrorFrom(checked);
  bool plain = false;
  ApiReply invalidInput;
  if (!readRequestType(command, method, &plain, &invalidInput))
    return invalidInput;
  std::chrono::milliseconds budget{};
  if (!readTimeout(command, plain ? kPlainTimeout : kPageTimeout, &budget, &invalidInput))
    return invalidInput;
  if (auto actions = command.FindMember("browserActions");
      actions != command.MemberEnd() && !actions->value.IsNull()) {
    Status checked = checkActions(actions->value);
    if (checked.code() == ErrorCode::UnsupportedOperation)
      return apiError(400, "unsupported_parameter", checked.message());
    if (!checked.isOk())
      return apiError(400, "bad_request", checked.message());
    page.actions = &actions->value;
  }
  if (!readCookies(command, &page.cookies, &invalidInput) ||
      !readCookieJar(command, &page.cookies, &invalidInput) ||
      !readHeaders(command, &page.headers, &invalidInput) ||
      !readOutputs(command, &page, &invalidInput))
    return invalidInput;
  page.post = method == "POST";
  PlainRequest plainRequest;
  if (plain) {
    if (!readPlainRequest(command, page, &plainRequest, &invalidInput))
      return invalidInput;
    plainRequest.method = method;
  } else if (!readFormData(command, &page.postData, &invalidInput)) {
    return invalidInput;
  }

  std::string id;
  ApiReply error;
  if (!sessionOf(command, false, &id, &error))
    return error;
  bool oneOff = id.empty();
  if (!oneOff && !service_.exists(id))
    return apiError(404, "session_not_found",
                    "no live session " + id.substr(0, 128) +
                        "; create one with sessions.create or leave out \"session\"");
  // A browser that connects directly (no upstream, which would resolve names itself): refuse a
  // target the policy refuses before the browser tries. Its forwarding proxy enforces the policy
  // anyway, on every connection (redirects, subresources); this makes the common case clear.
  if (!plain && (oneOff || routeOf(id).upstream.kind == UpstreamProxy::Kind::None)) {
    Status target = precheckTarget(page.url, policy_);
    if (target.isOk() && page.actions != nullptr)
      target = precheckActions(*page.actions, policy_);
    if (!target.isOk())
      return apiErrorFrom(target);
  }
  if (oneOff) {
    // BiDi stays on (the default): it is how the main document's headers are read.
    rapidjson::Document oneOffCommand(rapidjson::kObjectType);
    ApiReply created = create(oneOffCommand, clientGone, webSocketBase, clientAddress);
    if (created.httpStatus != 200)
      return created;
    rapidjson::Document doc;
    if (!parseJsonObject(created.body, &doc).isOk() || !doc.HasMember("session"))
      return apiError(500, "launch_failed", "the one-off session could not be read");
    id = doc["session"].GetString();
  }

  // A one-off session, or one the client asked to close, ends however this request does.
  auto close = command.FindMember("closeAfterUse");
  const bool ends = oneOff || (close != command.MemberEnd() && close->value.IsTrue());
  EndOfScope ending([&] {
    if (!ends)
      return;
    service_.deleteSession(id);
    std::lock_guard<std::mutex> lock(mutex_);
    networks_.erase(id);
  });

  if (auto session = service_.find(id))
    page.bidiUrl = session->sockets().bidi;
  if (page.listAllRedirects && page.bidiUrl.empty())
    return apiError(400, "bad_request",
                    "\"listAllRedirects\" needs the session's WebDriver BiDi: create it with "
                    "\"webSocketUrl\": true (the default) on chrome or firefox");
  allowNavigation(id, page.url);
  if (page.actions != nullptr)
    allowActionNavigation(id, *page.actions);
  // One deadline for everything done in the session from here (the wait for a session is
  // bounded by --session-request-timeout), and the client's hang-up ends it too.
  RequestDeadline deadline(budget, clientGone);
  rapidjson::Document solution;
  Status status;
  if (plain) {
    SessionRoute route = routeOf(id);
    plainRequest.bidiUrl = page.bidiUrl;
    plainRequest.upstream = route.upstream;
    plainRequest.policy = policy_;
    plainRequest.timeout = budget;
    if (auto local = route.local.lock())
      plainRequest.allowed = [local](const std::string& host) { return local->allows(host); };
    SessionCalls calls(service_, id);
    status = requestPlain(calls, plainRequest, &solution);
  } else {
    SessionCalls calls(service_, id);
    status = fetchPage(calls, page, deadline, &solution);
  }
  Status ended = status.isOk() ? Status::ok() : deadline.check();
  if (!ended.isOk())
    log(LogLevel::Info, "api", "session " + id + ": " + ended.message());
  // The request's own timeout (an action's wait that ran out is the browser's error, as before).
  if (status.code() == ErrorCode::Timeout && (plain || ended.code() == ErrorCode::Timeout))
    return apiError(504, "request_timeout", status.message());
  if (plain &&
      (status.code() == ErrorCode::UnknownError || status.code() == ErrorCode::InsecureCertificate))
    return apiError(502, "request_failed", status.message());
  if (!status.isOk())
    return apiErrorFrom(status);
  rapidjson::Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  out.AddMember("solution", rapidjson::Value(solution, a), a);
  if (!oneOff)
    out.AddMember("session", rapidjson::Value(id.c_str(), a), a);
  return success(out, start);
}

} // namespace wdh
