#include "server/request_handler.h"

#include "core/log.h"
#include "http/auth.h"
#include "http/responses.h"
#include "relay/websocket_dial.h"
#include "server/public_url.h"
#include "server/routes.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>
#include <arpa/inet.h>
#include <atomic>
#include <netinet/in.h>
#include <sys/socket.h>

namespace wdh {
namespace {

// The largest body a route that authenticates itself (the status page's login) takes: it is read
// before anyone is known.
constexpr std::size_t kLoginBodyLimit = 4096;

// The value of the key=<token> query parameter (the sessions API's way to authenticate), or "".
std::string queryKey(const std::string& target) {
  try {
    for (const auto& [name, value] : Poco::URI(target).getQueryParameters())
      if (name == "key")
        return value;
  } catch (...) {
  }
  return "";
}

std::string_view pathOf(const std::string& target) {
  std::string_view path(target);
  return path.substr(0, path.find('?'));
}

// "ip:port" of the peer of socket `fd`, or "" when it cannot be told.
std::string peerAddress(int fd) {
  if (fd < 0)
    return "";
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    return "";
  char host[INET6_ADDRSTRLEN] = {0};
  unsigned port = 0;
  if (address.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address);
    inet_ntop(AF_INET, &v4->sin_addr, host, sizeof host);
    port = ntohs(v4->sin_port);
    return std::string(host) + ":" + std::to_string(port);
  }
  if (address.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
    inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof host);
    port = ntohs(v6->sin6_port);
    return "[" + std::string(host) + "]:" + std::to_string(port);
  }
  return "";
}

} // namespace

RequestHandler::RequestHandler(SessionService& service, AccessSettings access)
    : service_(service), credentials_(access.clientToken, access.operatorToken),
      access_(std::move(access)) {}

const FeatureRoute* RequestHandler::matchFeature(std::string_view path,
                                                 std::string_view* suffix) const {
  const FeatureRoute* best = nullptr;
  for (const FeatureRoute& route : features_) {
    std::string_view own = route.path;
    bool matches = path == own || (route.prefix && path.size() > own.size() &&
                                   path.substr(0, own.size()) == own && path[own.size()] == '/');
    if (matches && (best == nullptr || own.size() > best->path.size())) {
      best = &route;
      *suffix = path.substr(own.size());
    }
  }
  return best;
}

Status RequestHandler::matchAny(const Request& request, Route* route) const {
  std::string_view path = pathOf(request.target);
  std::string_view suffix;
  if (const FeatureRoute* feature = matchFeature(path, &suffix)) {
    route->kind = RouteKind::Feature;
    route->feature = feature;
    route->suffix = suffix;
    for (const std::string& method : feature->methods)
      if (method == request.method)
        return Status::ok();
    std::string allowed;
    for (const std::string& method : feature->methods)
      allowed += (allowed.empty() ? "" : ", ") + method;
    return Status(ErrorCode::UnknownMethod,
                  std::string(path) + " does not take " + request.method + "; it takes " + allowed);
  }
  return matchRoute(request.method, path, route);
}

bool RequestHandler::screen(const Request& request, Reply* reply) const {
  try {
    GateRefusal refusal;
    if (!admitRequest(request, access_.gate, &refusal)) {
      log(LogLevel::Info, "http",
          "refused " + request.method + " " + std::string(pathOf(request.target)).substr(0, 200) +
              ": " + refusal.status.message());
      jsonReply(reply, refusal.httpStatus, errorBody(refusal.status));
      return false;
    }
    std::string_view suffix;
    const FeatureRoute* feature = matchFeature(pathOf(request.target), &suffix);
    // A feature that authenticates itself (the status page's login) reads little before that.
    if (feature != nullptr && feature->access == RouteAccess::OwnLogin) {
      if (request.contentLength > kLoginBodyLimit) {
        jsonReply(reply, 413,
                  errorBody(Status(ErrorCode::InvalidArgument,
                                   "this endpoint takes bodies of at most " +
                                       std::to_string(kLoginBodyLimit) + " bytes")));
        return false;
      }
      return true;
    }
    return authorized(request, feature, reply);
  } catch (const std::exception& e) {
    errorReply(reply, Status(ErrorCode::UnknownError, e.what()));
    return false;
  }
}

Action RequestHandler::dispatch(const Request& request, RelayedCommand* command, Route* route,
                                Reply* reply) const {
  try {
    if (!screen(request, reply))
      return Action::Answer;
    Status status = matchAny(request, route);
    if (!status.isOk()) {
      errorReply(reply, status);
      return Action::Answer;
    }
    if (request.upgrade.requested)
      return Action::Upgrade;
    switch (route->kind) {
    case RouteKind::Feature:
      if (route->feature->blocking)
        return Action::Job;
      runFeature(request, *route, reply);
      return Action::Answer;
    case RouteKind::Status:
    case RouteKind::WebSocket:
    case RouteKind::SessionEvent:
      runRoute(request, *route, reply);
      return Action::Answer;
    case RouteKind::SessionCommand: {
      // A cloud vendor's status script is the host's to answer, not the page's to run.
      std::string answer;
      if (request.method == "POST" && service_.commands().vendorScript(
                                          route->sessionId, route->suffix, request.body, &answer)) {
        jsonReply(reply, 200, std::move(answer));
        return Action::Answer;
      }
      if (request.method == "POST" && route->suffix == "/window")
        service_.commands().noteWindowSwitch(route->sessionId, request.body);
      if (service_.commands().beginRelay(route->sessionId, request.method, route->suffix,
                                         request.body, command))
        return Action::Relay;
      return Action::Job;
    }
    case RouteKind::NewSession:
    case RouteKind::DeleteSession:
    case RouteKind::SessionFiles:
      return Action::Job;
    }
    return Action::Job;
  } catch (const std::exception& e) {
    log(LogLevel::Error, "http", std::string("cannot dispatch a request: ") + e.what());
    errorReply(reply, Status(ErrorCode::UnknownError, e.what()));
    return Action::Answer;
  }
}

bool RequestHandler::routeOf(const Request& request, Route* route) const {
  return matchAny(request, route).isOk();
}

void RequestHandler::run(const Request& request, const Route& route, ReplySink deliver) const {
  Reply reply;
  try {
    if (route.kind == RouteKind::NewSession)
      return startNewSession(request, std::move(deliver));
    if (route.kind == RouteKind::Feature)
      runFeature(request, route, &reply);
    else
      runRoute(request, route, &reply);
  } catch (const Poco::Exception& e) {
    log(LogLevel::Warn, "http", "request failed: " + e.displayText());
    reply = Reply();
    errorReply(&reply, Status(ErrorCode::UnknownError, e.displayText()));
  } catch (const std::exception& e) {
    log(LogLevel::Error, "http", std::string("request failed: ") + e.what());
    reply = Reply();
    errorReply(&reply, Status(ErrorCode::UnknownError, e.what()));
  }
  if (deliver)
    deliver(std::move(reply));
}

void RequestHandler::runFeature(const Request& request, const Route& route, Reply* reply) const {
  RouteContext context;
  context.suffix = route.suffix;
  context.webSocketBase = webSocketBase(access_.publicUrl, request.host, boundAuthority_);
  context.clientAddress = peerAddress(request.clientFd);
  route.feature->handler(request, context, reply);
}

void RequestHandler::startNewSession(const Request& request, ReplySink deliver) const {
  NewSessionRequest asked;
  asked.clientGone = request.clientGone;
  asked.webSocketBase = webSocketBase(access_.publicUrl, request.host, boundAuthority_);
  asked.clientAddress = peerAddress(request.clientFd);
  service_.starter().startNewSession(
      request.body, std::move(asked),
      [deliver = std::move(deliver)](Status status, std::string answer, std::string) {
        Reply reply;
        if (status.isOk())
          jsonReply(&reply, 200, std::move(answer));
        else
          errorReply(&reply, status);
        deliver(std::move(reply));
      });
}

bool RequestHandler::authorized(const Request& request, const FeatureRoute* feature,
                                Reply* reply) const {
  Role role = credentials_.roleOf(request.authorization);
  if (role == Role::None && feature != nullptr && feature->tokenInQuery)
    role = credentials_.roleOfToken(queryKey(request.target));
  bool operatorOnly = feature != nullptr && feature->access == RouteAccess::Operator;
  if (role == Role::Operator || (role == Role::Client && !operatorOnly))
    return true;
  if (role == Role::Client) {
    jsonReply(reply, 403,
              errorBody(Status(ErrorCode::InvalidArgument,
                               "this takes the host's operator token (--operator-token), not the "
                               "client token")));
    return false;
  }
  if (feature != nullptr && feature->unauthorized) {
    feature->unauthorized(request, RouteContext{}, reply);
    return false;
  }
  // No WWW-Authenticate challenge: a browser would cache the credentials it was given and send
  // them along with any web page's requests to this host.
  jsonReply(reply, 401,
            errorBody(Status(ErrorCode::InvalidArgument,
                             "this host needs its token: send \"Authorization: Bearer TOKEN\" or "
                             "basic auth with the token as the password")));
  return false;
}

void RequestHandler::runRoute(const Request& request, const Route& route, Reply* reply) const {
  const std::string& method = request.method;
  Status status;
  switch (route.kind) {
  case RouteKind::Status:
    // 503 while draining: schedulers (Grid's relay node, a readiness probe) send nothing new.
    jsonReply(reply, service_.lifecycle().draining() ? 503 : 200, service_.status().statusJson());
    return;
  case RouteKind::Feature:    // runFeature()
  case RouteKind::NewSession: // run() starts it
    return;
  case RouteKind::SessionFiles: {
    std::string answer;
    status = service_.commands().sessionFiles(route.sessionId, method, route.suffix, request.body,
                                              &answer);
    if (status.isOk())
      jsonReply(reply, 200, std::move(answer));
    else
      errorReply(reply, status);
    return;
  }
  case RouteKind::SessionEvent: {
    std::string answer;
    status = service_.commands().sessionEvent(route.sessionId, request.body, &answer);
    if (status.isOk())
      jsonReply(reply, 200, std::move(answer));
    else
      errorReply(reply, status);
    return;
  }
  case RouteKind::DeleteSession:
    status = service_.lifecycle().deleteSession(route.sessionId);
    if (status.isOk())
      jsonReply(reply, 200, "{\"value\":null}");
    else
      errorReply(reply, status);
    return;
  case RouteKind::WebSocket:
    errorReply(reply, checkUpgrade(method, WebSocketUpgrade{}));
    return;
  case RouteKind::SessionCommand: {
    RelayResponse relayed;
    status =
        service_.commands().execute(route.sessionId, method, route.suffix, request.body, &relayed);
    relayedReply(status, std::move(relayed), reply);
    return;
  }
  }
}

bool RequestHandler::beginUpgrade(const Request& request, const Route& route, UpgradeTarget* target,
                                  Reply* reply) const {
  Status status = Status::ok();
  if (route.kind == RouteKind::Feature && route.feature->websocket) {
    status = checkUpgrade(request.method, request.upgrade);
    RouteContext context;
    context.suffix = route.suffix;
    context.clientAddress = peerAddress(request.clientFd);
    if (status.isOk())
      status = route.feature->websocket(request, context, &target->local);
    if (!status.isOk()) {
      errorReply(reply, status);
      return false;
    }
    // Counted apart from any session's own websockets, and not closed with the session: a
    // follower of its log ends once it sent the whole log. Each is a key of its own (the
    // feature bounds how many it serves): a shared path such as /live/socket is no session.
    static std::atomic<std::uint64_t> served{0};
    target->sessionId =
        route.feature->path + std::string(route.suffix) + "#" + std::to_string(++served);
    return true;
  }
  if (route.kind != RouteKind::WebSocket)
    status =
        Status(ErrorCode::UnknownCommand,
               "no websocket is served at " + request.target.substr(0, request.target.find('?')) +
                   "; a session's are /session/{id}/se/bidi and /session/{id}/se/cdp");
  if (!status.isOk()) {
    errorReply(reply, status);
    return false;
  }
  std::shared_ptr<Session> session = service_.lifecycle().find(route.sessionId);
  if (!session) {
    errorReply(reply, service_.lifecycle().unknownSession(route.sessionId));
    return false;
  }
  status = checkUpgrade(request.method, request.upgrade);
  if (!status.isOk()) {
    errorReply(reply, status);
    return false;
  }
  const SessionSockets& sockets = session->sockets();
  target->session = session;
  target->sessionId = session->id();
  if (route.socket == SocketKind::Bidi) {
    if (sockets.bidi.empty()) {
      errorReply(reply, Status(ErrorCode::UnsupportedOperation,
                               "session " + session->id() +
                                   " has no WebDriver BiDi: ask for \"webSocketUrl\": true in "
                                   "New Session, on a backend that offers it"));
      return false;
    }
    target->url = sockets.bidi;
    if (CommandTracer* tracer = service_.lifecycle().tracer();
        tracer != nullptr && tracer->tracing())
      target->tap = tracer->tapBidi(session->id());
    return true;
  }
  if (sockets.cdp.empty()) {
    errorReply(reply, Status(ErrorCode::UnsupportedOperation,
                             "session " + session->id() + " (" + session->plugin().name() +
                                 ") has no Chrome DevTools Protocol endpoint"));
    return false;
  }
  status = devToolsBrowserUrl(sockets.cdp, std::chrono::seconds(10), &target->url);
  if (!status.isOk()) {
    errorReply(reply, status);
    return false;
  }
  return true;
}

void RequestHandler::finishRelay(RelayedCommand& command, const std::string& body, Status status,
                                 RelayResponse&& response, Reply* reply) const {
  try {
    status = service_.commands().finishRelay(command, body, std::move(status), &response);
    relayedReply(status, std::move(response), reply);
  } catch (const std::exception& e) {
    log(LogLevel::Error, "http", std::string("relayed command failed: ") + e.what());
    errorReply(reply, Status(ErrorCode::UnknownError, e.what()));
  }
}

void RequestHandler::relayedReply(const Status& status, RelayResponse&& response, Reply* reply) {
  if (status.isOk())
    jsonReply(reply, response.status, std::move(response.body), std::move(response.contentType));
  else
    errorReply(reply, status);
}

} // namespace wdh
