#include "server/http_server.h"

#include "core/log.h"
#include "server/request_handler.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

namespace wdh {

HttpServer::HttpServer(SessionService& service, SessionsApi* api, ServerSettings settings)
    : service_(service), api_(api), settings_(std::move(settings)) {}

HttpServer::~HttpServer() {
  stop();
}

Status HttpServer::start() {
  try {
    Poco::Net::SocketAddress address(settings_.host, settings_.port);
    Poco::Net::ServerSocket socket;
    socket.bind(address, true);
    socket.listen(256);
    port_ = socket.address().port();

    auto params = new Poco::Net::HTTPServerParams();
    params->setMaxThreads(settings_.maxThreads);
    params->setMaxQueued(1024);
    params->setKeepAlive(true);
    params->setMaxKeepAliveRequests(0);
    params->setKeepAliveTimeout(Poco::Timespan(60, 0));
    params->setTimeout(Poco::Timespan(30, 0));
    params->setServerName("wdhost");

    threads_ = std::make_unique<Poco::ThreadPool>(2, settings_.maxThreads, 60);
    server_ = std::make_unique<Poco::Net::HTTPServer>(
        new RequestHandlerFactory(service_, api_, settings_.maxBodySize, settings_.authToken),
        *threads_, socket, params);
    server_->start();
    return Status::ok();
  } catch (const Poco::Exception& e) {
    return Status(ErrorCode::UnknownError, "cannot listen on " + settings_.host + ":" +
                                               std::to_string(settings_.port) + ": " +
                                               e.displayText());
  }
}

void HttpServer::stop() {
  if (!server_)
    return;
  server_->stopAll(true);
  server_.reset();
  threads_->joinAll();
  threads_.reset();
}

} // namespace wdh
