#include "ui/status_endpoints.h"

#include "core/log.h"
#include "core/uuid.h"
#include "core/version.h"
#include "http/responses.h"
#include "live/frame_capture.h"
#include "live/live_link_reply.h"
#include "metrics/process_figures.h"
#include "plugin/remote_plugin.h"
#include "recording/recording_routes.h"
#include "trace/trace_routes.h"
#include "ui/status_page.h"

#include "json/json.h"
#include <Poco/Net/HTTPMessage.h>
#include <Poco/Net/NameValueCollection.h>

namespace wdh {
namespace {

constexpr const char* kCookieName = "wdhost_ui";
constexpr rapidjson::SizeType kRecordingsShown = 30; // the newest ones the page lists

// The value of cookie `name` in a Cookie header, or "".
std::string cookieIn(const std::string& header, const std::string& name) {
  Poco::Net::NameValueCollection cookies;
  Poco::Net::HTTPMessage::splitParameters(header.begin(), header.end(), cookies);
  return cookies.get(name, "");
}

void addSecurityHeaders(Reply* reply) {
  reply->headers.emplace_back("Content-Security-Policy",
                              "default-src 'self'; img-src 'self' blob: data:; "
                              "style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
                              "frame-ancestors 'none'; form-action 'self'");
  reply->headers.emplace_back("X-Frame-Options", "DENY");
  reply->headers.emplace_back("X-Content-Type-Options", "nosniff");
  reply->headers.emplace_back("Referrer-Policy", "no-referrer");
}

std::int64_t secondsSince(std::chrono::steady_clock::time_point then) {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - then)
      .count();
}

} // namespace

StatusPageEndpoints::StatusPageEndpoints(SessionService& service,
                                         std::function<HostSnapshot()> snapshot,
                                         Credentials credentials, bool secureCookie,
                                         std::string cookiePath)
    : service_(service), snapshot_(std::move(snapshot)), credentials_(std::move(credentials)),
      secureCookie_(secureCookie), cookiePath_(std::move(cookiePath)), openCsrf_(randomHex(32)),
      started_(std::chrono::steady_clock::now()) {}

bool StatusPageEndpoints::blocks(std::string_view suffix) {
  return suffix.find("/screenshot") != std::string_view::npos ||
         suffix.substr(0, 12) == "/recordings/" || suffix.substr(0, 8) == "/traces/" ||
         suffix.find("/end") != std::string_view::npos;
}

Role StatusPageEndpoints::roleOf(const Request& request, std::string* csrf) const {
  csrf->clear();
  if (!credentials_.needsLogin()) {
    *csrf = openCsrf_; // no login: a page of this host's origin is the only caller (the gate)
    return Role::Operator;
  }
  Role role = credentials_.roleOf(request.authorization);
  if (role != Role::None)
    return role;
  UiLogins::Login login;
  if (!logins_.find(cookieIn(request.cookie, kCookieName), &login))
    return Role::None;
  *csrf = login.csrf;
  return login.role;
}

void StatusPageEndpoints::ui(const Request& request, std::string_view suffix, Reply* reply) const {
  const std::string& method = request.method;
  if (suffix.empty() || suffix == "/") {
    if (method != "GET")
      return errorReply(reply, Status(ErrorCode::UnknownMethod, "/ui takes GET"));
    return page(reply, 200);
  }
  if (suffix == "/login") {
    if (method != "POST")
      return errorReply(reply, Status(ErrorCode::UnknownMethod, "/ui/login takes POST"));
    return login(request, reply);
  }
  if (suffix == "/logout") {
    if (method != "POST")
      return errorReply(reply, Status(ErrorCode::UnknownMethod, "/ui/logout takes POST"));
    return logout(request, reply);
  }
  std::string csrf;
  Role role = roleOf(request, &csrf);
  if (role == Role::None)
    return jsonReply(
        reply, 401,
        errorBody(Status(ErrorCode::InvalidArgument, "log in at /ui with the host's token first")));
  if (suffix == "/state") {
    if (method != "GET")
      return errorReply(reply, Status(ErrorCode::UnknownMethod, "/ui/state takes GET"));
    return state(role, csrf, reply);
  }
  constexpr std::string_view kRecordings = "/recordings/";
  if (suffix.substr(0, kRecordings.size()) == kRecordings) {
    Recordings* recordings = service_.lifecycle().recordings();
    if (method != "GET" || recordings == nullptr)
      return errorReply(
          reply, Status(ErrorCode::UnknownCommand, "the status page plays recordings with GET"));
    std::string file = recordings->resolve(suffix.substr(kRecordings.size()));
    return recordingFileReply(*recordings, request, file, reply);
  }
  constexpr std::string_view kTraces = "/traces/";
  if (suffix.substr(0, kTraces.size()) == kTraces) {
    if (method != "GET" || traces_ == nullptr)
      return errorReply(reply,
                        Status(ErrorCode::UnknownCommand, "the status page opens traces with GET"));
    bool download = request.target.find("?download=1") != std::string::npos;
    return traceViewerReply(*traces_, suffix.substr(kTraces.size()), download, reply);
  }
  constexpr std::string_view kSessions = "/sessions/";
  if (suffix.substr(0, kSessions.size()) == kSessions) {
    std::string_view rest = suffix.substr(kSessions.size());
    std::size_t slash = rest.find('/');
    std::string_view id = rest.substr(0, slash);
    std::string_view what = slash == std::string_view::npos ? "" : rest.substr(slash);
    if (what == "/screenshot" && method == "GET")
      return screenshot(id, reply);
    if (what == "/end" && method == "POST")
      return endSession(request, role, csrf, id, reply);
    if (live_ != nullptr && what.substr(0, 10) == "/live-link") {
      if (method != "GET" && !csrf.empty() &&
          !authorizationCarries("Bearer " + request.csrfToken, csrf))
        return jsonReply(reply, 403,
                         errorBody(Status(ErrorCode::InvalidArgument,
                                          "making or revoking a live link from the status page "
                                          "needs its X-Wdhost-Csrf header")));
      // The page makes the URL absolute itself, from the address it was reached at.
      if (liveLinkRoute(*live_, method, suffix.substr(kSessions.size() - 1), request.body, "",
                        reply))
        return;
    }
  }
  errorReply(reply, Status(ErrorCode::UnknownCommand,
                           "the status page has no " + method + " /ui" + std::string(suffix)));
}

Status StatusPageEndpoints::liveSocket(const Request& request, std::string_view suffix,
                                       const std::string& clientAddress, UniqueFd* socket) const {
  // suffix: "/sessions/{id}/live"
  constexpr std::string_view kSessions = "/sessions/";
  constexpr std::string_view kLive = "/live";
  if (live_ == nullptr || suffix.substr(0, kSessions.size()) != kSessions ||
      suffix.size() <= kSessions.size() + kLive.size() ||
      suffix.substr(suffix.size() - kLive.size()) != kLive)
    return Status(ErrorCode::UnknownCommand,
                  "the status page's websocket is /ui/sessions/{id}/live");
  std::string csrf;
  Role role = roleOf(request, &csrf);
  if (role == Role::None)
    return Status(ErrorCode::InvalidArgument, "log in at /ui with the host's token first");
  std::string_view id =
      suffix.substr(kSessions.size(), suffix.size() - kSessions.size() - kLive.size());
  ViewerRights rights;
  rights.control = true;
  rights.csrf = csrf;
  rights.name = std::string(role == Role::Operator ? "the operator" : "a client") +
                (clientAddress.empty() ? "" : " at " + clientAddress);
  return live_->watch(id, rights, socket);
}

void StatusPageEndpoints::page(Reply* reply, int status) const {
  reply->status = status;
  reply->contentType = "text/html; charset=utf-8";
  reply->body = std::string(statusPageHtml());
  addSecurityHeaders(reply);
}

void StatusPageEndpoints::login(const Request& request, Reply* reply) const {
  rapidjson::Document body;
  std::string token;
  if (parseJsonObject(request.body, &body).isOk()) {
    auto field = body.FindMember("token");
    if (field != body.MemberEnd() && field->value.IsString())
      token.assign(field->value.GetString(), field->value.GetStringLength());
  }
  Role role = credentials_.needsLogin() ? credentials_.roleOfToken(token) : Role::Operator;
  if (role == Role::None || (credentials_.needsLogin() && token.empty())) {
    log(LogLevel::Warn, "ui", "a status page login with a wrong token was refused");
    return jsonReply(reply, 401,
                     errorBody(Status(ErrorCode::InvalidArgument,
                                      "log in with {\"token\": \"...\"}: the host's token "
                                      "(--auth-token) or its operator token (--operator-token)")));
  }
  UiLogins::Login login;
  std::string cookie = logins_.begin(role, &login);
  jsonReply(reply, 200,
            std::string("{\"value\":{\"role\":\"") +
                (role == Role::Operator ? "operator" : "client") + "\"}}");
  reply->headers.emplace_back(
      "Set-Cookie", std::string(kCookieName) + "=" + cookie + "; Path=" + cookiePath_ +
                        "; Max-Age=" + std::to_string(logins_.lifetime().count()) +
                        "; HttpOnly; SameSite=Strict" + (secureCookie_ ? "; Secure" : ""));
}

void StatusPageEndpoints::logout(const Request& request, Reply* reply) const {
  logins_.end(cookieIn(request.cookie, kCookieName));
  jsonReply(reply, 200, "{\"value\":null}");
  reply->headers.emplace_back("Set-Cookie", std::string(kCookieName) + "=; Path=" + cookiePath_ +
                                                "; Max-Age=0; HttpOnly; SameSite=Strict" +
                                                (secureCookie_ ? "; Secure" : ""));
}

void StatusPageEndpoints::state(Role role, const std::string& csrf, Reply* reply) const {
  HostSnapshot now = snapshot_();
  ProcessFigures self = readOwnFigures();
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  auto text = [&a](const std::string& value) { return rapidjson::Value(value.c_str(), a); };

  rapidjson::Value host(rapidjson::kObjectType);
  host.AddMember("version", rapidjson::StringRef(kHostVersion), a);
  host.AddMember("uptimeSeconds", secondsSince(started_), a);
  host.AddMember("rssBytes", static_cast<std::uint64_t>(self.residentBytes), a);
  host.AddMember("openFiles", static_cast<std::uint64_t>(self.openFiles), a);
  host.AddMember("processes", static_cast<std::uint64_t>(now.processes), a);
  host.AddMember("websockets", static_cast<std::uint64_t>(now.webSockets), a);
  host.AddMember("draining", now.draining, a);
  doc.AddMember("host", host, a);

  rapidjson::Value limits(rapidjson::kObjectType);
  limits.AddMember("maxSessions", static_cast<std::uint64_t>(now.maxSessions), a);
  limits.AddMember("sessions", static_cast<std::uint64_t>(service_.status().sessionSlotsInUse()),
                   a);
  limits.AddMember("closing", static_cast<std::uint64_t>(service_.lifecycle().closingCount()), a);
  limits.AddMember("queued", static_cast<std::uint64_t>(now.queued), a);
  limits.AddMember("warm", static_cast<std::uint64_t>(now.warmBrowsers), a);
  limits.AddMember("sessionTimeout",
                   static_cast<std::int64_t>(service_.lifecycle().settings().idleTimeout.count()),
                   a);
  doc.AddMember("limits", limits, a);

  rapidjson::Value plugins(rapidjson::kArrayType);
  for (const auto& plugin : service_.lifecycle().registry().plugins()) {
    const PluginDescription& d = plugin->description();
    rapidjson::Value entry(rapidjson::kObjectType);
    entry.AddMember("name", text(plugin->name()), a);
    entry.AddMember("version", text(plugin->identity().version), a);
    entry.AddMember("browserName", text(d.browserName), a);
    rapidjson::Value browsers(rapidjson::kArrayType);
    for (const InstalledBrowser& browser : d.browsers) {
      rapidjson::Value found(rapidjson::kObjectType);
      found.AddMember("name", text(browser.name), a);
      found.AddMember("version", text(browser.version), a);
      found.AddMember("path", text(browser.path), a);
      browsers.PushBack(found, a);
    }
    entry.AddMember("browsers", browsers, a);
    if (d.driver) {
      rapidjson::Value driver(rapidjson::kObjectType);
      driver.AddMember("name", text(d.driver->name), a);
      driver.AddMember("version", text(d.driver->version), a);
      driver.AddMember("path", text(d.driver->path), a);
      entry.AddMember("driver", driver, a);
    }
    entry.AddMember("isolated", plugin->remote() != nullptr, a);
    if (plugin->remote() != nullptr) {
      // Its helper process: how often it crashed (or was ended for hanging), how, and its memory.
      const RemotePluginHealth health = plugin->remote()->health();
      rapidjson::Value helper(rapidjson::kObjectType);
      helper.AddMember("crashes", static_cast<std::uint64_t>(health.crashes), a);
      helper.AddMember("lastCrash", text(health.lastCrash), a);
      helper.AddMember("running", health.pid != 0, a);
      helper.AddMember(
          "rssBytes",
          static_cast<std::uint64_t>(
              health.pid == 0 ? 0 : residentBytesOf(static_cast<unsigned long>(health.pid))),
          a);
      entry.AddMember("helper", helper, a);
    }
    plugins.PushBack(entry, a);
  }
  doc.AddMember("plugins", plugins, a);

  rapidjson::Value sessions(rapidjson::kArrayType);
  auto wallNow = std::chrono::system_clock::now();
  for (const auto& session : service_.lifecycle().liveSessions()) {
    const SessionOrigin& origin = session->origin();
    rapidjson::Value entry(rapidjson::kObjectType);
    entry.AddMember("id", text(session->id()), a);
    entry.AddMember("plugin", text(session->plugin().name()), a);
    entry.AddMember("browserName", text(session->plugin().description().browserName), a);
    entry.AddMember("browserVersion", text(origin.browserVersion), a);
    entry.AddMember("api", text(origin.api), a);
    entry.AddMember("client", text(origin.client), a);
    entry.AddMember(
        "ageSeconds",
        static_cast<std::int64_t>(
            std::chrono::duration_cast<std::chrono::seconds>(wallNow - origin.created).count()),
        a);
    entry.AddMember("idleSeconds", secondsSince(session->lastUsed()), a);
    entry.AddMember("lastCommand", text(session->lastCommand()), a);
    entry.AddMember("timeoutSeconds", static_cast<std::int64_t>(session->idleTimeout().count()), a);
    if (live_ != nullptr) {
      entry.AddMember("viewers", static_cast<std::uint64_t>(live_->viewersOf(session->id())), a);
      entry.AddMember("controlledBy", text(live_->controllerOf(session->id())), a);
    }
    sessions.PushBack(entry, a);
  }
  doc.AddMember("sessions", sessions, a);
  // The newest recordings, to play and read from the page.
  rapidjson::Value recorded(rapidjson::kArrayType);
  if (Recordings* recordings = service_.lifecycle().recordings()) {
    for (const RecordingInfo& r : recordings->list()) {
      if (recorded.Size() >= kRecordingsShown)
        break;
      rapidjson::Value entry(rapidjson::kObjectType);
      entry.AddMember("file", text(r.file), a);
      entry.AddMember("log", text(r.log), a);
      entry.AddMember("sessionId", text(r.sessionId), a);
      entry.AddMember("browser", text(r.browser), a);
      entry.AddMember("name", text(r.name), a);
      entry.AddMember("state", text(r.state), a);
      entry.AddMember("outcome", text(r.outcome), a);
      entry.AddMember("endedBy", text(r.endedBy), a);
      entry.AddMember("start", r.startMs, a);
      entry.AddMember("duration", r.durationMs, a);
      entry.AddMember("size", r.size, a);
      recorded.PushBack(entry, a);
    }
  }
  doc.AddMember("recordings", recorded, a);
  // The newest traces, to open in the viewer.
  rapidjson::Value traced(rapidjson::kArrayType);
  if (traces_ != nullptr)
    for (const TraceInfo& t : traces_->list()) {
      if (traced.Size() >= kRecordingsShown)
        break;
      rapidjson::Value entry(rapidjson::kObjectType);
      entry.AddMember("sessionId", text(t.sessionId), a);
      entry.AddMember("browser", text(t.browser), a);
      entry.AddMember("start", t.startedAtMs, a);
      entry.AddMember("commands", static_cast<std::uint64_t>(t.commands), a);
      entry.AddMember("failed", t.failed, a);
      entry.AddMember("running", t.running, a);
      entry.AddMember("endedBy", text(t.endedBy), a);
      entry.AddMember("size", t.size, a);
      traced.PushBack(entry, a);
    }
  doc.AddMember("traces", traced, a);
  doc.AddMember("csrf", text(csrf), a);
  doc.AddMember("role", rapidjson::StringRef(role == Role::Operator ? "operator" : "client"), a);
  doc.AddMember("login", credentials_.needsLogin(), a);
  jsonReply(reply, 200, toJson(doc));
}

void StatusPageEndpoints::screenshot(std::string_view id, Reply* reply) const {
  std::shared_ptr<Session> session = service_.lifecycle().find(id);
  if (!session)
    return errorReply(reply, service_.lifecycle().unknownSession(id));
  LiveFrame frame;
  Status status =
      !session->sockets().cdp.empty()
          ? captureOverDevTools(session->sockets().cdp, std::chrono::seconds(10), &frame)
          : captureByCommand(*session, &frame);
  if (!status.isOk())
    return errorReply(reply, status);
  reply->status = 200;
  reply->contentType = frame.contentType;
  reply->body = std::move(frame.bytes);
  reply->headers.emplace_back("X-Content-Type-Options", "nosniff");
}

void StatusPageEndpoints::endSession(const Request& request, Role role, const std::string& csrf,
                                     std::string_view id, Reply* reply) const {
  if (role != Role::Operator)
    return jsonReply(reply, 403,
                     errorBody(Status(ErrorCode::InvalidArgument,
                                      "ending a session from the status page takes the operator "
                                      "token (--operator-token); log in with it")));
  if (!csrf.empty() && !authorizationCarries("Bearer " + request.csrfToken, csrf))
    return jsonReply(reply, 403,
                     errorBody(Status(ErrorCode::InvalidArgument,
                                      "ending a session from the status page needs its "
                                      "X-Wdhost-Csrf header")));
  // Said first, so that the session's own log says who ended it.
  if (service_.lifecycle().find(id))
    log(LogLevel::Info, "ui", "session " + std::string(id) + " is being ended from the status page",
        LogFields{id, {}});
  Status status = service_.lifecycle().deleteSession(id);
  if (!status.isOk())
    return errorReply(reply, status);
  jsonReply(reply, 200, "{\"value\":null}");
}

} // namespace wdh
