// One HTTP request: route it, read the body within limits, run it, write the answer.
#pragma once

#include "sessions_api/sessions_api.h"
#include "webdriver/session_service.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <string>

namespace wdh {

// Handles every request the server accepts.
class RequestHandler : public Poco::Net::HTTPRequestHandler {
public:
  // `authToken` empty: no authentication. `api` may be null (no sessions API).
  RequestHandler(SessionService& service, SessionsApi* api, std::size_t maxBodySize,
                 const std::string& authToken)
      : service_(service), api_(api), maxBodySize_(maxBodySize), authToken_(authToken) {}
  // Never throws: every failure becomes a W3C error response.
  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override;

private:
  SessionService& service_;
  SessionsApi* api_;
  std::size_t maxBodySize_;
  const std::string& authToken_;
};

// Makes a RequestHandler per request.
class RequestHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
  RequestHandlerFactory(SessionService& service, SessionsApi* api, std::size_t maxBodySize,
                        std::string authToken)
      : service_(service), api_(api), maxBodySize_(maxBodySize), authToken_(std::move(authToken)) {}
  Poco::Net::HTTPRequestHandler*
  createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;

private:
  SessionService& service_;
  SessionsApi* api_;
  std::size_t maxBodySize_;
  std::string authToken_;
};

} // namespace wdh
