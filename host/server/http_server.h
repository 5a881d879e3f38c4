// The host's HTTP front end: one epoll set holds every client connection, and a small pool of
// workers that grows with the requests in flight (up to maxThreads) reads, runs and answers them.
// Idle keep-alive clients cost a registration and a few bytes, never a thread.
#pragma once

#include "core/status.h"
#include "server/client_connection.h"
#include "server/relay_in_flight.h"
#include "server/request_handler.h"
#include "server/request_parser.h"
#include "server/tunnel_loop.h"
#include "sessions_api/sessions_api.h"
#include "webdriver/session_service.h"

#include <Poco/Net/ServerSocket.h>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace wdh {

// Where and how the server listens.
struct ServerSettings {
  std::string host = "127.0.0.1";             // address to bind; loopback unless told otherwise
  std::uint16_t port = 4444;                  // 0 = a port the OS picks
  int maxThreads = 128;                       // requests served at once (worker threads)
  std::size_t maxBodySize = 16 * 1024 * 1024; // bytes; larger bodies are refused
  std::string authToken;                      // required from clients when not empty
  std::chrono::seconds keepAliveTimeout{60};  // an idle connection is closed after this
  std::chrono::seconds requestTimeout{30};    // a started request must arrive within this
  std::string publicUrl;                      // --public-url: websocket URLs' base; may be empty
  std::size_t maxWebSocketsPerSession = 8;    // relayed websockets open at once per session
};

// The listening server; start() once, stop() once (also done by the destructor).
class HttpServer {
public:
  // `service` (and `api`, which may be null) must outlive the server.
  HttpServer(SessionService& service, SessionsApi* api, ServerSettings settings);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving; UnknownError with the reason if the address cannot be bound.
  Status start();
  // The bound port (after start()).
  std::uint16_t port() const noexcept { return port_; }
  // Stops accepting, ends open connections, and waits for requests being answered.
  void stop();
  // Ends the relayed websockets of session `id` with a close frame (`code`, `why`); returns
  // once the frames are queued. Thread-safe.
  void closeWebSockets(const std::string& id, std::uint16_t code, const std::string& why) {
    tunnels_.closeSession(id, code, why);
  }
  // Relayed websockets open now.
  std::size_t webSocketsOpen() const { return tunnels_.openCount(); }

private:
  // What became of a connection after its complete requests were handled.
  enum class Next {
    Wait,      // waiting for more bytes (the rest of a request, or the next one)
    Relaying,  // a relayed command is out; the relay resumes the connection
    Upgraded,  // handed to the tunnel loop as a websocket
    Destroyed, // closed and gone
  };

  void workerLoop();
  void releaseBatch();
  void addWorker();
  void acceptAll();
  void serve(ClientConnection* connection);
  Next process(ClientConnection* connection, std::string_view bytes, bool fromPending,
               bool* expectsContinue);
  bool answer(ClientConnection* connection, ParsedRequest& parsed, Request& request);
  Next upgrade(ClientConnection* connection, const ParsedRequest& parsed, const Request& request,
               std::string_view clientBytes);
  void enterBlocking();
  void leaveBlocking();
  bool sendReply(ClientConnection* connection, const Reply& reply, bool keepAlive, bool http10,
                 bool headMethod);
  void waitForMore(ClientConnection* connection, bool expectsContinue);
  void rearm(ClientConnection* connection);
  void destroy(ClientConnection* connection);
  void startRelay(ClientConnection* connection, std::unique_ptr<RelayInFlight> relay);
  void sendRelay(RelayInFlight* relay);
  void onRelayEvent(RelayInFlight* relay);
  void completeRelay(RelayInFlight* relay, Status status);
  void sweepLoop();

  RequestHandler handler_;
  ServerSettings settings_;
  TunnelLoop tunnels_;
  RequestLimits limits_;
  Poco::Net::ServerSocket listener_;
  int listenFd_ = -1;
  int epoll_ = -1;
  int wake_ = -1; // eventfd, readable once stop() begins
  char listenerTag_ = 0;
  char wakeTag_ = 0;
  std::uint16_t port_ = 0;
  bool started_ = false;
  std::atomic<bool> stopping_{false};
  int spareWorkers_ = 2;               // workers kept free of blocking handlers
  std::atomic<int> workerCount_{0};    // workers started
  std::atomic<int> blockedWorkers_{0}; // workers inside a handler that may wait long

  std::mutex workersMutex_;
  std::vector<std::thread> workers_;

  std::mutex connectionsMutex_;
  std::unordered_map<ClientConnection*, std::unique_ptr<ClientConnection>> connections_;

  std::mutex sweepMutex_;
  std::condition_variable sweepWake_;
  std::thread sweeper_;
};

} // namespace wdh
