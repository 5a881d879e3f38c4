#include "server/request_handler.h"

#include "core/log.h"
#include "server/auth.h"
#include "server/responses.h"
#include "server/routes.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>
#include <functional>
#include <istream>

namespace wdh {
namespace {

// Reads the whole body, at most `limit` bytes; InvalidArgument when it is larger.
Status readBody(Poco::Net::HTTPServerRequest& request, std::size_t limit, std::string* body) {
  if (request.hasContentLength()) {
    auto length = request.getContentLength64();
    if (length < 0 || static_cast<std::uint64_t>(length) > limit)
      return Status(ErrorCode::InvalidArgument, "the request body is " + std::to_string(length) +
                                                    " bytes; this host accepts "
                                                    "at most " +
                                                    std::to_string(limit) + " (--max-body-size)");
    body->resize(static_cast<std::size_t>(length));
    std::istream& in = request.stream();
    in.read(body->data(), length);
    if (in.gcount() != length)
      return Status(ErrorCode::InvalidArgument, "the request body ended after " +
                                                    std::to_string(in.gcount()) + " of " +
                                                    std::to_string(length) + " bytes");
    return Status::ok();
  }
  std::istream& in = request.stream();
  char chunk[16384];
  while (in) {
    in.read(chunk, sizeof chunk);
    body->append(chunk, static_cast<std::size_t>(in.gcount()));
    if (body->size() > limit)
      return Status(ErrorCode::InvalidArgument, "the request body is larger than the " +
                                                    std::to_string(limit) +
                                                    " bytes this host accepts (--max-body-size)");
  }
  return Status::ok();
}

// A check whether the client that sent `request` has closed its connection (it left a queue).
std::function<bool()> clientGone(Poco::Net::HTTPServerRequest& request) {
  auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request);
  if (impl == nullptr)
    return {};
  Poco::Net::StreamSocket socket = impl->socket();
  return [socket]() mutable {
    try {
      // Readable with nothing to read means the peer closed its side.
      return socket.poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ) &&
             socket.available() == 0;
    } catch (...) {
      return true;
    }
  };
}

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

} // namespace

void RequestHandler::handleRequest(Poco::Net::HTTPServerRequest& request,
                                   Poco::Net::HTTPServerResponse& response) {
  try {
    const std::string& target = request.getURI();
    bool apiPath = target.rfind("/api/v1", 0) == 0;
    if (!authToken_.empty() &&
        !authorizationCarries(request.get("Authorization", ""), authToken_) &&
        !(apiPath && queryKeyCarries(target, authToken_))) {
      if (apiPath) {
        sendJson(response, 401, apiError(401, "unauthorized", "wrong or missing key").body);
        return;
      }
      response.set("WWW-Authenticate", "Basic realm=\"wdhost\"");
      sendJson(response, 401,
               errorBody(Status(ErrorCode::InvalidArgument,
                                "this host needs its token: send \"Authorization: Bearer "
                                "TOKEN\" or basic auth with the token as the password")));
      return;
    }
    const std::string& uri = request.getURI();
    std::string_view path(uri);
    path = path.substr(0, path.find('?'));
    const std::string& method = request.getMethod();

    Route route;
    Status status = matchRoute(method, path, &route);
    if (!status.isOk()) {
      sendError(response, status);
      return;
    }
    std::string body;
    status = readBody(request, maxBodySize_, &body);
    if (!status.isOk()) {
      response.setKeepAlive(false);
      sendError(response, status);
      return;
    }

    switch (route.kind) {
    case RouteKind::Status:
      sendJson(response, 200, service_.statusJson());
      return;
    case RouteKind::NewSession: {
      std::string reply;
      status = service_.newSession(body, clientGone(request), &reply);
      if (status.isOk())
        sendJson(response, 200, reply);
      else
        sendError(response, status);
      return;
    }
    case RouteKind::DeleteSession:
      status = service_.deleteSession(route.sessionId);
      if (status.isOk())
        sendJson(response, 200, "{\"value\":null}");
      else
        sendError(response, status);
      return;
    case RouteKind::SessionsApi: {
      if (api_ == nullptr) {
        sendError(response, Status(ErrorCode::UnknownCommand, "the sessions API is off"));
        return;
      }
      ApiReply reply = api_->handle(body, clientGone(request));
      sendJson(response, reply.httpStatus, reply.body);
      return;
    }
    case RouteKind::SessionCommand: {
      RelayResponse relayed;
      status = service_.execute(route.sessionId, method, route.suffix, body, &relayed);
      if (status.isOk())
        sendJson(response, relayed.status, relayed.body, relayed.contentType);
      else
        sendError(response, status);
      return;
    }
    }
  } catch (const Poco::Exception& e) {
    log(LogLevel::Warn, "http", "request failed: " + e.displayText());
    if (!response.sent())
      sendError(response, Status(ErrorCode::UnknownError, e.displayText()));
  } catch (const std::exception& e) {
    log(LogLevel::Error, "http", std::string("request failed: ") + e.what());
    if (!response.sent())
      sendError(response, Status(ErrorCode::UnknownError, e.what()));
  }
}

Poco::Net::HTTPRequestHandler*
RequestHandlerFactory::createRequestHandler(const Poco::Net::HTTPServerRequest&) {
  return new RequestHandler(service_, api_, maxBodySize_, authToken_);
}

} // namespace wdh
