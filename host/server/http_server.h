// The host's HTTP front end: client connections on the event loop (server/event_loop), HTTP/1.1
// read and answered on them (server/http_connection.cpp), commands relayed to drivers without
// a thread waiting (server/relay_in_flight.cpp), and upgraded connections handed to the
// websocket loop (server/tunnel_loop). Idle keep-alive clients cost a registration and a few
// bytes, never a thread.
#pragma once

#include "core/job_executor.h"
#include "core/status.h"
#include "server/client_connection.h"
#include "server/event_loop.h"
#include "server/relay_in_flight.h"
#include "server/request_handler.h"
#include "server/request_parser.h"
#include "server/tunnel_loop.h"
#include "webdriver/host_snapshot.h"
#include "webdriver/session_service.h"

#include <Poco/Net/ServerSocket.h>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

namespace wdh {

// Where and how the server listens.
struct ServerSettings {
  std::string host = "127.0.0.1";             // address to bind; loopback unless told otherwise
  std::uint16_t port = 4444;                  // 0 = a port the OS picks
  std::size_t maxBodySize = 16 * 1024 * 1024; // bytes; larger bodies are refused
  AccessSettings access;                      // tokens, and what the request gate lets through
  std::size_t maxConnections = 8192;          // client connections open at once
  std::size_t maxConnectionsPerPeer = 2048;   // of those, from one IP address
  std::chrono::seconds keepAliveTimeout{60};  // an idle connection is closed after this
  std::chrono::seconds requestTimeout{30};    // a started request must arrive within this
  std::size_t maxWebSocketsPerSession = 8;    // relayed websockets open at once per session
};

// The listening server; start() once, stop() once (also done by the destructor).
class HttpServer : private EventLoop::Handler {
public:
  // `service` and `jobs` (where work that may block runs) must outlive the server.
  HttpServer(SessionService& service, JobExecutor& jobs, ServerSettings settings);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving; UnknownError with the reason if the address cannot be bound.
  Status start();
  // The bound port (after start()).
  std::uint16_t port() const noexcept { return port_; }
  // Stops accepting, ends open connections and websockets, and waits for requests being
  // answered.
  void stop();
  // Ends the relayed websockets of session `id` with a close frame (`code`, `why`); returns
  // once the frames are queued. Thread-safe.
  void closeWebSockets(const std::string& id, std::uint16_t code, const std::string& why) {
    tunnels_.closeSession(id, code, why);
  }
  // Serves a feature's `route` too (the status page, /metrics, drain, the sessions API); before
  // start().
  void addRoute(FeatureRoute route) { handler_.addRoute(std::move(route)); }
  // Adds this server's own figures (relayed websockets and their traffic) to `snapshot`.
  // Thread-safe.
  void addFigures(HostSnapshot* snapshot) const;

private:
  // True while a worker or a job holds a connection it has not answered yet.
  bool answersOwed();
  // What became of a connection after its complete requests were handled.
  enum class Next {
    Wait,      // waiting for more bytes (the rest of a request, or the next one)
    Writing,   // waiting for the client to read a reply; then it goes on
    Relaying,  // a relayed command is out; the relay resumes the connection
    Working,   // a job has the connection; it resumes it once answered
    Destroyed, // closed and gone
  };

  void onEvent(EventSource* source) override;
  void acceptAll();
  void rearm(ClientConnection* connection);
  void destroy(ClientConnection* connection);
  void sweepLoop();

  // http_connection.cpp: HTTP/1.1 on one client connection.
  void serve(ClientConnection* connection);
  Next process(ClientConnection* connection, std::string_view bytes, bool fromPending,
               bool* expectsContinue);
  // How far a reply went without waiting.
  enum class Sent {
    Done,    // all of it
    Pending, // the rest is in the connection's out buffer: wait until writable
    Failed,  // the connection is broken
  };
  Sent answer(ClientConnection* connection, const Request& request, const Reply& reply,
              bool* keepAlive);
  void upgrade(ClientConnection* connection, const Request& request, const Route& route,
               std::string_view clientBytes);
  Sent sendReply(ClientConnection* connection, const Reply& reply, bool keepAlive, bool http10,
                 bool headMethod);
  // After a reply: the next request the client sent meanwhile, the wait for the client to read
  // the rest of the reply, or the end of the connection.
  void goOn(ClientConnection* connection, Sent sent, bool keepAlive);
  // Waits (bounded by the request timeout) until the client can take more of its reply.
  void waitWritable(ClientConnection* connection);
  // Sends more of the reply the client was not reading; then goes on.
  void continueWriting(ClientConnection* connection);
  void waitForMore(ClientConnection* connection, bool expectsContinue);
  // Hands `request` to the job executor; false when it is full (the request is then still
  // in `*request`).
  bool startJob(ClientConnection* connection, std::shared_ptr<Request>* request,
                std::string clientBytes, bool upgrade);
  void runJob(ClientConnection* connection, const std::shared_ptr<Request>& request,
              const std::string& clientBytes, bool upgrade);
  // Sends a job's reply and goes on with the connection (pipelined requests, then idle).
  void finishJob(ClientConnection* connection, const Request& request, const Reply& reply);
  // The reply when the job executor is full.
  void busyReply(Reply* reply) const;

  // relay_in_flight.cpp: commands relayed without a thread waiting.
  void startRelay(ClientConnection* connection, std::unique_ptr<RelayInFlight> relay,
                  std::string body);
  void onRelayEvent(RelayInFlight* relay);
  void continueRelay(RelayInFlight* relay, RelayCall::Step step);
  void completeRelay(RelayInFlight* relay);

  RequestHandler handler_;
  JobExecutor& jobs_;
  ServerSettings settings_;
  RequestLimits limits_;
  EventLoop loop_;
  TunnelLoop tunnels_;
  Poco::Net::ServerSocket listener_;
  EventSource listenerSource_{EventSource::Kind::Listener};
  int listenFd_ = -1;
  std::uint16_t port_ = 0;
  bool started_ = false;

  std::mutex connectionsMutex_;
  std::unordered_map<ClientConnection*, std::unique_ptr<ClientConnection>> connections_;
  std::unordered_map<std::string, std::size_t> connectionsByPeer_; // by peer address
  std::uint64_t refusedConnections_ = 0;                           // over a limit
  std::chrono::steady_clock::time_point refusalLogged_{};          // last logged refusal

  std::mutex sweepMutex_;
  std::condition_variable sweepWake_;
  std::thread sweeper_;
};

} // namespace wdh
