#include "sessions_api/sessions_api.h"

#include "core/log.h"
#include "core/scope_exit.h"
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
#include "sessions_api/request_input.h"
#include "sessions_api/target_url.h"
#include "sessions_api/webdriver_call.h"

#include "json/json.h"
#include <Poco/String.h>
#include <Poco/URI.h>
#include <algorithm>
#include <chrono>

namespace wdh {
namespace {

// What a request may take once its session is ready, unless its "timeout" says otherwise.
constexpr std::chrono::milliseconds kPlainTimeout{60000};
constexpr std::chrono::milliseconds kPageTimeout{180000};

constexpr const char* kKnownCommands =
    "sessions.create, sessions.destroy, sessions.list, sessions.active, request.get, "
    "request.post, request.put, request.delete, request.patch";

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
  if (!plan.sessionId.empty() && service_.lifecycle().exists(plan.sessionId))
    return apiError(409, "session_exists",
                    "a session with the id " + plan.sessionId + " is already live");
  // The id is fixed now, so that the session's forwarding proxy serves its processes alone.
  if (plan.sessionId.empty())
    plan.sessionId = randomUuid();
  SessionNetwork network;
  SessionService* service = &service_;
  std::string owner = plan.sessionId;
  status = prepareNetwork(
      plan, pool_, policy_,
      [service, owner](int fd) { return service->lifecycle().isSessionPeer(owner, fd); }, &network);
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
  status = service_.starter().newSession(body, request, &response, &id);
  if (!status.isOk())
    return apiErrorFrom(status);
  networks_.add(id, SessionNetworks::Route{network.local, network.upstream});

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
      service_.lifecycle().deleteSession(id);
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
  addWebSocketUrls(service_.lifecycle().find(id), &out, a);
  auto recording = caps.FindMember("wdhost:recording");
  if (recording != caps.MemberEnd() && recording->value.IsObject())
    for (const char* key : {"video", "log"})
      if (recording->value.HasMember(key) && recording->value[key].IsString())
        out.AddMember(rapidjson::StringRef(key),
                      rapidjson::Value(recording->value[key].GetString(), a), a);
  auto liveView = caps.FindMember("wdhost:liveViewUrl");
  if (liveView != caps.MemberEnd() && liveView->value.IsString())
    out.AddMember("liveViewUrl", rapidjson::Value(liveView->value.GetString(), a), a);
  auto traced = caps.FindMember("wdhost:traceUrl");
  if (traced != caps.MemberEnd() && traced->value.IsString())
    out.AddMember("traceUrl", rapidjson::Value(traced->value.GetString(), a), a);
  rapidjson::Document fingerprint;
  SessionCalls calls(service_, id);
  if (parseJsonObject(readFingerprint(calls, caps, plan.mobile), &fingerprint).isOk())
    out.AddMember("fingerprint", rapidjson::Value(fingerprint, a), a);
  out.AddMember("context", browserContext(a), a);
  log(LogLevel::Info, "api", "sessions.create " + id + " on " + browser);
  return apiSuccess(out, start);
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
  Status status = service_.lifecycle().deleteSession(id);
  if (!status.isOk())
    return apiErrorFrom(status);
  networks_.forget(id);
  rapidjson::Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  out.AddMember("solution", rapidjson::Value(rapidjson::kObjectType), a);
  out.AddMember("session", rapidjson::Value(id.c_str(), a), a);
  return apiSuccess(out, start);
}

ApiReply SessionsApi::list() {
  auto start = std::chrono::steady_clock::now();
  rapidjson::Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  rapidjson::Value sessions(rapidjson::kArrayType);
  std::vector<SessionSummary> all = service_.lifecycle().list();
  for (const SessionSummary& summary : all) {
    rapidjson::Value entry(rapidjson::kObjectType);
    entry.AddMember("session", rapidjson::Value(summary.id.c_str(), a), a);
    entry.AddMember("lastAccessed", summary.lastAccessedMs, a);
    addWebSocketUrls(service_.lifecycle().find(summary.id), &entry, a);
    sessions.PushBack(entry, a);
  }
  out.AddMember("sessions", sessions, a);
  out.AddMember("open", static_cast<std::uint64_t>(all.size()), a);
  out.AddMember("limit", static_cast<std::uint64_t>(service_.status().maxSessions()), a);
  return apiSuccess(out, start);
}

ApiReply SessionsApi::active(const rapidjson::Value& command) {
  auto start = std::chrono::steady_clock::now();
  std::string id;
  ApiReply error;
  if (!sessionOf(command, true, &id, &error))
    return error;
  rapidjson::Document out(rapidjson::kObjectType);
  out.AddMember("active", service_.lifecycle().exists(id), out.GetAllocator());
  out.AddMember("session", rapidjson::Value(id.c_str(), out.GetAllocator()), out.GetAllocator());
  return apiSuccess(out, start);
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
  if (!oneOff && !service_.lifecycle().exists(id))
    return apiError(404, "session_not_found",
                    "no live session " + id.substr(0, 128) +
                        "; create one with sessions.create or leave out \"session\"");
  // A browser that connects directly (no upstream, which would resolve names itself): refuse a
  // target the policy refuses before the browser tries. Its forwarding proxy enforces the policy
  // anyway, on every connection (redirects, subresources); this makes the common case clear.
  if (!plain && (oneOff || networks_.routeOf(id).upstream.kind == UpstreamProxy::Kind::None)) {
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
  ScopeExit ending([&] {
    if (!ends)
      return;
    service_.lifecycle().deleteSession(id);
    networks_.forget(id);
  });

  if (auto session = service_.lifecycle().find(id))
    page.bidiUrl = session->sockets().bidi;
  if (page.listAllRedirects && page.bidiUrl.empty())
    return apiError(400, "bad_request",
                    "\"listAllRedirects\" needs the session's WebDriver BiDi: create it with "
                    "\"webSocketUrl\": true (the default) on chrome or firefox");
  networks_.allowNavigation(id, page.url);
  if (page.actions != nullptr)
    networks_.allowActionNavigation(id, *page.actions);
  // One deadline for everything done in the session from here (the wait for a session is
  // bounded by --session-request-timeout), and the client's hang-up ends it too.
  RequestDeadline deadline(budget, clientGone);
  rapidjson::Document solution;
  Status status;
  if (plain) {
    SessionNetworks::Route route = networks_.routeOf(id);
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
  return apiSuccess(out, start);
}

} // namespace wdh
