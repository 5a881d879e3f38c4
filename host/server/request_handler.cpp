#include "server/request_handler.h"

#include "core/log.h"
#include "relay/websocket_dial.h"
#include "server/auth.h"
#include "server/public_url.h"
#include "server/responses.h"
#include "server/routes.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace wdh {
namespace {

// True when the query string has key=<token> (the sessions API's way to authenticate).
bool queryKeyCarries(const std::string& target, const std::string& token) {
  try {
    for (const auto& [name, value] : Poco::URI(target).getQueryParameters())
      if (name == "key")
        return authorizationCarries("Bearer " + value, token);
  } catch (...) {
  }
  return false;
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

Action RequestHandler::dispatch(const Request& request, RelayedCommand* command, Route* route,
                                Reply* reply) const {
  try {
    std::string_view path(request.target);
    path = path.substr(0, path.find('?'));
    const std::string& method = request.method;
    Status status = matchRoute(method, path, route);
    // The status page authenticates itself (its login form sets a cookie); a browser opening
    // the host's root is sent there. A live screenshot waits on the browser.
    if (operator_ != nullptr && status.isOk() && route->kind == RouteKind::StatusPage) {
      if (route->suffix.find("/screenshot") != std::string_view::npos)
        return Action::Job;
      operator_->ui(request, route->suffix, reply);
      return Action::Answer;
    }
    if (operator_ != nullptr && path == "/" && method == "GET" &&
        request.accept.find("text/html") != std::string::npos) {
      reply->status = 302;
      reply->contentType = "text/plain; charset=utf-8";
      reply->body = "see /ui\n";
      reply->headers.emplace_back("Location", "/ui");
      return Action::Answer;
    }
    if (!authorized(request, reply))
      return Action::Answer;
    if (!status.isOk() || (operator_ == nullptr && (route->kind == RouteKind::Metrics ||
                                                    route->kind == RouteKind::StatusPage))) {
      errorReply(reply, status.isOk()
                            ? Status(ErrorCode::UnknownCommand,
                                     "no WebDriver command is " + method + " " + std::string(path))
                            : status);
      return Action::Answer;
    }
    if (request.upgrade.requested)
      return Action::Upgrade;
    switch (route->kind) {
    case RouteKind::Status:
    case RouteKind::Metrics:
    case RouteKind::StatusPage:
    case RouteKind::Drain:
    case RouteKind::WebSocket:
      runRoute(request, *route, reply);
      return Action::Answer;
    case RouteKind::SessionCommand:
      if (service_.beginRelay(route->sessionId, method, route->suffix, command))
        return Action::Relay;
      return Action::Job;
    case RouteKind::NewSession:
    case RouteKind::DeleteSession:
    case RouteKind::SessionsApi:
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

void RequestHandler::run(const Request& request, const Route& route, Reply* reply) const {
  try {
    if (route.kind == RouteKind::StatusPage && operator_ != nullptr)
      operator_->ui(request, route.suffix, reply);
    else
      runRoute(request, route, reply);
  } catch (const Poco::Exception& e) {
    log(LogLevel::Warn, "http", "request failed: " + e.displayText());
    errorReply(reply, Status(ErrorCode::UnknownError, e.displayText()));
  } catch (const std::exception& e) {
    log(LogLevel::Error, "http", std::string("request failed: ") + e.what());
    errorReply(reply, Status(ErrorCode::UnknownError, e.what()));
  }
}

bool RequestHandler::authorized(const Request& request, Reply* reply) const {
  const std::string& target = request.target;
  bool apiPath = target.rfind("/api/v1", 0) == 0;
  if (authToken_.empty() || authorizationCarries(request.authorization, authToken_) ||
      (apiPath && queryKeyCarries(target, authToken_)))
    return true;
  if (apiPath) {
    jsonReply(reply, 401, apiError(401, "unauthorized", "wrong or missing key").body);
    return false;
  }
  reply->wwwAuthenticate = "Basic realm=\"wdhost\"";
  jsonReply(reply, 401,
            errorBody(Status(ErrorCode::InvalidArgument,
                             "this host needs its token: send \"Authorization: Bearer "
                             "TOKEN\" or basic auth with the token as the password")));
  return false;
}

void RequestHandler::runRoute(const Request& request, const Route& route, Reply* reply) const {
  const std::string& method = request.method;
  Status status;
  switch (route.kind) {
  case RouteKind::Status:
    // 503 while draining: schedulers (Grid's relay node, a readiness probe) send nothing new.
    jsonReply(reply, service_.draining() ? 503 : 200, service_.statusJson());
    return;
  case RouteKind::Metrics:
    operator_->metrics(reply);
    return;
  case RouteKind::StatusPage: // answered above
    return;
  case RouteKind::Drain:
    service_.drain();
    jsonReply(reply, 200,
              "{\"value\":{\"draining\":true,\"sessions\":" +
                  std::to_string(service_.sessionsRunning()) + "}}");
    return;
  case RouteKind::SessionFiles: {
    std::string answer;
    status = service_.sessionFiles(route.sessionId, method, route.suffix, request.body, &answer);
    if (status.isOk())
      jsonReply(reply, 200, std::move(answer));
    else
      errorReply(reply, status);
    return;
  }
  case RouteKind::NewSession: {
    std::string answer;
    NewSessionRequest asked;
    asked.clientGone = request.clientGone;
    asked.webSocketBase = webSocketBase(publicUrl_, request.host, boundAuthority_);
    asked.clientAddress = peerAddress(request.clientFd);
    std::string id;
    status = service_.newSession(request.body, asked, &answer, &id);
    if (status.isOk())
      jsonReply(reply, 200, std::move(answer));
    else
      errorReply(reply, status);
    return;
  }
  case RouteKind::DeleteSession:
    status = service_.deleteSession(route.sessionId);
    if (status.isOk())
      jsonReply(reply, 200, "{\"value\":null}");
    else
      errorReply(reply, status);
    return;
  case RouteKind::SessionsApi: {
    if (api_ == nullptr) {
      errorReply(reply, Status(ErrorCode::UnknownCommand, "the sessions API is off"));
      return;
    }
    ApiReply answer = api_->handle(request.body, request.clientGone,
                                   webSocketBase(publicUrl_, request.host, boundAuthority_),
                                   peerAddress(request.clientFd));
    jsonReply(reply, answer.httpStatus, std::move(answer.body));
    return;
  }
  case RouteKind::WebSocket:
    errorReply(reply, checkUpgrade(method, WebSocketUpgrade{}));
    return;
  case RouteKind::SessionCommand: {
    RelayResponse relayed;
    status = service_.execute(route.sessionId, method, route.suffix, request.body, &relayed);
    relayedReply(status, std::move(relayed), reply);
    return;
  }
  }
}

bool RequestHandler::beginUpgrade(const Request& request, const Route& route, UpgradeTarget* target,
                                  Reply* reply) const {
  Status status = Status::ok();
  if (route.kind != RouteKind::WebSocket)
    status =
        Status(ErrorCode::UnknownCommand,
               "no websocket is served at " + request.target.substr(0, request.target.find('?')) +
                   "; a session's are /session/{id}/se/bidi and /session/{id}/se/cdp");
  if (!status.isOk()) {
    errorReply(reply, status);
    return false;
  }
  std::shared_ptr<Session> session = service_.find(route.sessionId);
  if (!session) {
    errorReply(reply, service_.unknownSession(route.sessionId));
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
    status = service_.finishRelay(command, body, std::move(status), &response);
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
