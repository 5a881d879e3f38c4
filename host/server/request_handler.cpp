#include "server/request_handler.h"

#include "core/log.h"
#include "http/auth.h"
#include "relay/websocket_dial.h"
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

// The largest body the status page's login takes: it is read before anyone is authenticated.
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

RequestHandler::RequestHandler(SessionService& service, SessionsApi* api, AccessSettings access)
    : service_(service), api_(api), credentials_(access.clientToken, access.operatorToken),
      access_(std::move(access)) {}

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
    Route route;
    bool routed = matchRoute(request.method, pathOf(request.target), &route).isOk();
    // The status page authenticates itself (its login sets a cookie); what it reads before
    // anyone is known stays small. A browser opening the host's root is sent there.
    if (operator_ != nullptr && routed && route.kind == RouteKind::StatusPage) {
      if (request.contentLength > kLoginBodyLimit) {
        jsonReply(reply, 413,
                  errorBody(Status(ErrorCode::InvalidArgument,
                                   "the status page takes bodies of at most " +
                                       std::to_string(kLoginBodyLimit) + " bytes")));
        return false;
      }
      return true;
    }
    if (operator_ != nullptr && pathOf(request.target) == "/" && request.method == "GET")
      return true;
    return authorized(request, routed ? &route : nullptr, reply);
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
    std::string_view path = pathOf(request.target);
    const std::string& method = request.method;
    Status status = matchRoute(method, path, route);
    if (operator_ != nullptr && status.isOk() && route->kind == RouteKind::StatusPage) {
      // A live screenshot waits on the browser; ending a session closes its websockets.
      if (route->suffix.find("/screenshot") != std::string_view::npos ||
          route->suffix.find("/end") != std::string_view::npos)
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
    case RouteKind::Drain: // closes warm browsers' websockets, which may wait a moment
      return Action::Job;
    }
    return Action::Job;
  } catch (const std::exception& e) {
    log(LogLevel::Error, "http", std::string("cannot dispatch a request: ") + e.what());
    errorReply(reply, Status(ErrorCode::UnknownError, e.what()));
    return Action::Answer;
  }
}

bool RequestHandler::routeOf(const Request& request, Route* route) {
  return matchRoute(request.method, pathOf(request.target), route).isOk();
}

void RequestHandler::run(const Request& request, const Route& route, ReplySink deliver) const {
  Reply reply;
  try {
    if (route.kind == RouteKind::NewSession)
      return startNewSession(request, std::move(deliver));
    if (route.kind == RouteKind::StatusPage && operator_ != nullptr)
      operator_->ui(request, route.suffix, &reply);
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

void RequestHandler::startNewSession(const Request& request, ReplySink deliver) const {
  NewSessionRequest asked;
  asked.clientGone = request.clientGone;
  asked.webSocketBase = webSocketBase(access_.publicUrl, request.host, boundAuthority_);
  asked.clientAddress = peerAddress(request.clientFd);
  service_.startNewSession(
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

bool RequestHandler::authorized(const Request& request, const Route* route, Reply* reply) const {
  bool apiPath = request.target.rfind("/api/v1", 0) == 0;
  Role role = credentials_.roleOf(request.authorization);
  if (role == Role::None && apiPath)
    role = credentials_.roleOfToken(queryKey(request.target));
  bool operatorOnly = route != nullptr && (route->kind == RouteKind::Drain ||
                                           (route->kind == RouteKind::Metrics && operator_));
  if (role == Role::Operator || (role == Role::Client && !operatorOnly))
    return true;
  if (role == Role::Client) {
    jsonReply(reply, 403,
              errorBody(Status(ErrorCode::InvalidArgument,
                               "this takes the host's operator token (--operator-token), not the "
                               "client token")));
    return false;
  }
  if (apiPath) {
    jsonReply(reply, 401, apiError(401, "unauthorized", "wrong or missing key").body);
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
  case RouteKind::NewSession: // run() starts it
    return;
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
                                   webSocketBase(access_.publicUrl, request.host, boundAuthority_),
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
