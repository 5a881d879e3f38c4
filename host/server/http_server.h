// The host's HTTP front end (Poco): accepts WebDriver requests and dispatches them by route.
#pragma once

#include "core/status.h"
#include "sessions_api/sessions_api.h"
#include "webdriver/session_service.h"

#include <Poco/Net/HTTPServer.h>
#include <Poco/ThreadPool.h>
#include <cstdint>
#include <memory>
#include <string>

namespace wdh {

// Where and how the server listens.
struct ServerSettings {
  std::string host = "127.0.0.1";             // address to bind; loopback unless told otherwise
  std::uint16_t port = 4444;                  // 0 = a port the OS picks
  int maxThreads = 128;                       // concurrent connections served
  std::size_t maxBodySize = 16 * 1024 * 1024; // bytes; larger bodies are refused
  std::string authToken;                      // required from clients when not empty
};

// The listening server; start() once, stop() once (also done by the destructor).
class HttpServer {
public:
  // `service` (and `api`, which may be null) must outlive the server.
  HttpServer(SessionService& service, SessionsApi* api, ServerSettings settings);
  ~HttpServer();

  // Binds and starts serving; UnknownError with the reason if the address cannot be bound.
  Status start();
  // The bound port (after start()).
  std::uint16_t port() const noexcept { return port_; }
  // Stops accepting and ends open connections.
  void stop();

private:
  SessionService& service_;
  SessionsApi* api_;
  ServerSettings settings_;
  std::unique_ptr<Poco::ThreadPool> threads_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  std::uint16_t port_ = 0;
};

} // namespace wdh
