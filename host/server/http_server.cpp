#include "server/http_server.h"

#include "core/log.h"
#include "core/time.h"
#include "http/responses.h"

#include <Poco/Exception.h>
#include <Poco/Net/SocketAddress.h>
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace wdh {
namespace {

constexpr int kAcceptBurst = 64;
constexpr std::string_view kTooMany =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\n"
    "Retry-After: 1\r\nConnection: close\r\nContent-Length: ";

// The IP address of the peer of `address`, as the per-peer limit counts it.
std::string peerOf(const sockaddr_storage& address) {
  char text[INET6_ADDRSTRLEN] = {0};
  if (address.ss_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&address)->sin_addr, text,
              sizeof text);
  else if (address.ss_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&address)->sin6_addr, text,
              sizeof text);
  return text;
}

} // namespace

HttpServer::HttpServer(SessionService& service, JobExecutor& jobs, ServerSettings settings)
    : handler_(service, settings.access), jobs_(jobs), settings_(std::move(settings)), loop_(*this),
      tunnels_(settings_.maxWebSocketsPerSession) {
  limits_.maxBodySize = settings_.maxBodySize;
}

HttpServer::~HttpServer() {
  stop();
}

Status HttpServer::start() {
  try {
    Poco::Net::SocketAddress address(settings_.host, settings_.port);
    listener_.bind(address, true);
    listener_.listen(1024);
    listener_.setBlocking(false);
    port_ = listener_.address().port();
    listenFd_ = listener_.impl()->sockfd();
    handler_.setBoundAuthority(listener_.address().toString());
  } catch (const Poco::Exception& e) {
    return Status(ErrorCode::UnknownError, "cannot listen on " + settings_.host + ":" +
                                               std::to_string(settings_.port) + ": " +
                                               e.displayText());
  }
  if (!tunnels_.start())
    return Status(ErrorCode::UnknownError,
                  std::string("cannot start the websocket loop: ") + strerror(errno));
  Status status = loop_.start();
  if (!status.isOk())
    return status;
  if (!loop_.watch(&listenerSource_, listenFd_, true))
    return Status(ErrorCode::UnknownError,
                  std::string("cannot watch the listener: ") + strerror(errno));
  started_ = true;
  sweeper_ = std::thread(&HttpServer::sweepLoop, this);
  return Status::ok();
}

void HttpServer::addFigures(HostSnapshot* snapshot) const {
  snapshot->webSockets = tunnels_.openCount();
  const WebSocketTraffic& traffic = tunnels_.traffic();
  snapshot->webSocketFramesToClient = traffic.framesToClient.load();
  snapshot->webSocketBytesToClient = traffic.bytesToClient.load();
  snapshot->webSocketBytesToBrowser = traffic.bytesToBrowser.load();
  snapshot->webSocketBytesBuffered = traffic.bytesBuffered.load();
  snapshot->webSocketReadsHeld = traffic.readsHeld.load();
}

void HttpServer::onEvent(EventSource* source) {
  switch (source->kind) {
  case EventSource::Kind::Listener:
    acceptAll();
    return;
  case EventSource::Kind::Relay:
    onRelayEvent(static_cast<RelayInFlight*>(source));
    return;
  case EventSource::Kind::Client: {
    auto* connection = static_cast<ClientConnection*>(source);
    auto idle = ClientConnection::State::Idle;
    if (!connection->state.compare_exchange_strong(idle, ClientConnection::State::Busy))
      destroy(connection); // expired by the sweeper
    else if (connection->writing)
      continueWriting(connection);
    else
      serve(connection);
    return;
  }
  }
}

void HttpServer::acceptAll() {
  for (int i = 0; i < kAcceptBurst && !loop_.stopping(); ++i) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    int fd = accept4(listenFd_, reinterpret_cast<sockaddr*>(&address), &length,
                     SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED)
        continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        // Out of descriptors or memory: back off a little instead of spinning on the listener.
        log(LogLevel::Warn, "http", std::string("cannot accept a connection: ") + strerror(errno));
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      break;
    }
    int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    std::string peer = peerOf(address);
    auto connection = std::make_unique<ClientConnection>(fd, peer);
    ClientConnection* raw = connection.get();
    raw->idleDeadline = steadyNowMs() + std::chrono::milliseconds(settings_.requestTimeout).count();
    raw->state = ClientConnection::State::Idle;
    std::string refusal;
    {
      std::lock_guard<std::mutex> lock(connectionsMutex_);
      std::size_t& fromPeer = connectionsByPeer_[peer];
      if (connections_.size() >= settings_.maxConnections)
        refusal = "this host has " + std::to_string(connections_.size()) +
                  " connections open, the most --max-connections allows";
      else if (fromPeer >= settings_.maxConnectionsPerPeer)
        refusal = peer + " has " + std::to_string(fromPeer) +
                  " connections open, the most --max-connections-per-peer allows";
      if (refusal.empty()) {
        ++fromPeer;
        connections_.emplace(raw, std::move(connection));
      } else {
        if (fromPeer == 0)
          connectionsByPeer_.erase(peer);
        ++refusedConnections_;
      }
    }
    if (!refusal.empty()) {
      // Said once, in a few bytes the socket buffer always takes, then closed.
      std::string body =
          errorBody(Status(ErrorCode::UnknownError, refusal + "; close some and try again"));
      std::string reply = std::string(kTooMany) + std::to_string(body.size()) + "\r\n\r\n" + body;
      (void)!send(fd, reply.data(), reply.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      auto now = std::chrono::steady_clock::now();
      if (now - refusalLogged_ > std::chrono::seconds(10)) {
        refusalLogged_ = now;
        log(LogLevel::Warn, "http", "refused a connection: " + refusal);
      }
      continue; // `connection` closes the socket
    }
    if (!loop_.watch(raw, fd, true))
      destroy(raw);
  }
  if (!loop_.stopping())
    loop_.watch(&listenerSource_, listenFd_, false);
}

void HttpServer::rearm(ClientConnection* connection) {
  auto timeout =
      connection->pending.empty() ? settings_.keepAliveTimeout : settings_.requestTimeout;
  {
    std::lock_guard<std::mutex> guard(connection->idleGuard);
    connection->idleDeadline = steadyNowMs() + std::chrono::milliseconds(timeout).count();
    connection->state = ClientConnection::State::Idle;
  }
  if (!loop_.watch(connection, connection->fd(), false)) {
    // Only this worker could have re-armed it, so it is still ours to end.
    auto idle = ClientConnection::State::Idle;
    if (connection->state.compare_exchange_strong(idle, ClientConnection::State::Busy))
      destroy(connection);
  }
}

void HttpServer::destroy(ClientConnection* connection) {
  std::lock_guard<std::mutex> lock(connectionsMutex_);
  auto peer = connectionsByPeer_.find(connection->peer());
  if (peer != connectionsByPeer_.end() && --peer->second == 0)
    connectionsByPeer_.erase(peer);
  connections_.erase(connection);
}

void HttpServer::sweepLoop() {
  std::unique_lock<std::mutex> wait(sweepMutex_);
  while (!loop_.stopping()) {
    sweepWake_.wait_for(wait, std::chrono::seconds(1));
    std::int64_t now = steadyNowMs();
    std::lock_guard<std::mutex> lock(connectionsMutex_);
    for (auto& [raw, connection] : connections_) {
      // Under the guard no worker can re-arm it in between, so the deadline read belongs to
      // the Idle state swapped out here; a worker that took it meanwhile makes the swap fail.
      std::lock_guard<std::mutex> guard(connection->idleGuard);
      if (connection->relayFd >= 0 && connection->relayDeadline <= now &&
          !connection->relayTimedOut) {
        // The driver is too slow: wake the relay, which answers the client with the timeout.
        connection->relayTimedOut = true;
        shutdown(connection->relayFd, SHUT_RDWR);
        continue;
      }
      if (connection->idleDeadline > now)
        continue;
      auto idle = ClientConnection::State::Idle;
      // Shutting it down makes it readable: the worker that sees the event destroys it.
      if (connection->state.compare_exchange_strong(idle, ClientConnection::State::Expired))
        shutdown(connection->fd(), SHUT_RDWR);
    }
  }
}

bool HttpServer::answersOwed() {
  std::lock_guard<std::mutex> lock(connectionsMutex_);
  for (auto& [raw, connection] : connections_)
    if (connection->state.load() == ClientConnection::State::Busy)
      return true;
  return false;
}

void HttpServer::stop() {
  if (!started_)
    return;
  started_ = false;
  // Stop accepting now, but close the descriptor only once no worker can still re-arm it:
  // its number could otherwise be reused by another socket in between.
  loop_.forget(listenFd_);
  shutdown(listenFd_, SHUT_RDWR);
  // Answers already owed go out first, for a bounded moment: a queued New Session the shutdown
  // refused must hear why, not see its connection drop.
  auto owedBy = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < owedBy && answersOwed())
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  loop_.requestStop();
  {
    std::lock_guard<std::mutex> lock(connectionsMutex_);
    for (auto& [raw, connection] : connections_)
      shutdown(connection->fd(), SHUT_RDWR);
  }
  {
    std::lock_guard<std::mutex> lock(sweepMutex_);
    sweepWake_.notify_all();
  }
  sweeper_.join();
  // Jobs own their connections until they answer (their sockets are shut: they end soon).
  jobs_.stop();
  loop_.stop();
  tunnels_.stop();
  listener_.close();
  connections_.clear();
}

} // namespace wdh
