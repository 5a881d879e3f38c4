#include "server/http_server.h"

#include "core/log.h"
#include "http/socket_io.h"
#include "relay/websocket_dial.h"
#include "server/reply_head.h"
#include "server/responses.h"

#include <Poco/Exception.h>
#include <Poco/Net/SocketAddress.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

namespace wdh {
namespace {

constexpr std::size_t kReceiveChunk = 64 * 1024;
constexpr int kAcceptBurst = 64;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

std::int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

constexpr int kEventBatch = 16;

// The events one worker took from epoll, and how far it got handling them.
struct EventBatch {
  epoll_event events[kEventBatch];
  int count = 0;
  int next = 0;
};

// The calling worker's batch (null outside workers).
thread_local EventBatch* currentBatch = nullptr;

// The kernel orders epoll_ctl() before the epoll_wait() that reports the event it armed;
// ThreadSanitizer does not model that for EPOLL_CTL_MOD, so a TSan build says so explicitly.
#if defined(__SANITIZE_THREAD__)
void handOver(void* object) {
  __tsan_release(object);
}
void takeOver(void* object) {
  __tsan_acquire(object);
}
#else
void handOver(void*) {}
void takeOver(void*) {}
#endif

// Registers (ADD) or re-arms (MOD) `fd` in `epoll` for `events`, reported with `object`.
int watchFd(int epoll, int op, int fd, std::uint32_t events, void* object) {
  epoll_event watch{};
  watch.events = events;
  watch.data.ptr = object;
  handOver(object);
  return epoll_ctl(epoll, op, fd, &watch);
}

// Where a worker reads client bytes to; a whole request usually arrives in one read and is
// parsed straight from here, so idle connections keep no buffer of their own.
char* receiveBuffer() {
  thread_local std::unique_ptr<char[]> buffer(new char[kReceiveChunk]);
  return buffer.get();
}

} // namespace

HttpServer::HttpServer(SessionService& service, SessionsApi* api, ServerSettings settings)
    : handler_(service, api, settings.authToken, settings.publicUrl),
      settings_(std::move(settings)), tunnels_(settings_.maxWebSocketsPerSession) {
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
  epoll_ = epoll_create1(EPOLL_CLOEXEC);
  wake_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (epoll_ < 0 || wake_ < 0)
    return Status(ErrorCode::UnknownError, std::string("cannot create epoll: ") + strerror(errno));
  epoll_event listen{};
  listen.events = EPOLLIN | EPOLLONESHOT;
  listen.data.ptr = &listenerTag_;
  epoll_event wake{};
  wake.events = EPOLLIN; // level-triggered: every worker sees it
  wake.data.ptr = &wakeTag_;
  if (epoll_ctl(epoll_, EPOLL_CTL_ADD, listenFd_, &listen) != 0 ||
      epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &wake) != 0)
    return Status(ErrorCode::UnknownError, std::string("cannot watch sockets: ") + strerror(errno));
  if (!tunnels_.start())
    return Status(ErrorCode::UnknownError,
                  std::string("cannot start the websocket loop: ") + strerror(errno));
  started_ = true;
  // As many free workers as cores: relayed commands and quick answers never block one, so
  // more would only take turns sleeping in epoll_wait.
  spareWorkers_ =
      std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, settings_.maxThreads);
  for (int i = 0; i < spareWorkers_; ++i)
    addWorker();
  sweeper_ = std::thread(&HttpServer::sweepLoop, this);
  return Status::ok();
}

void HttpServer::addWorker() {
  std::lock_guard<std::mutex> lock(workersMutex_);
  if (stopping_ || workers_.size() >= static_cast<std::size_t>(settings_.maxThreads))
    return;
  try {
    workers_.emplace_back(&HttpServer::workerLoop, this);
    workerCount_.fetch_add(1);
  } catch (const std::system_error& e) {
    log(LogLevel::Warn, "http", std::string("cannot start another worker: ") + e.what());
  }
}

void HttpServer::workerLoop() {
  EventBatch batch;
  currentBatch = &batch;
  for (;;) {
    batch.count = epoll_wait(epoll_, batch.events, kEventBatch, 1000);
    if (stopping_)
      return;
    // Under load several events are ready at once: one epoll_wait takes them all.
    for (batch.next = 0; batch.next < batch.count;) {
      const epoll_event event = batch.events[batch.next++];
      if (event.data.ptr == &wakeTag_)
        continue;
      takeOver(event.data.ptr);
      if (event.data.ptr == &listenerTag_) {
        acceptAll();
      } else if (auto* source = static_cast<EventSource*>(event.data.ptr);
                 source->kind == EventSource::Kind::Relay) {
        onRelayEvent(static_cast<RelayInFlight*>(source));
      } else {
        auto* connection = static_cast<ClientConnection*>(source);
        auto idle = ClientConnection::State::Idle;
        if (connection->state.compare_exchange_strong(idle, ClientConnection::State::Busy))
          serve(connection);
        else
          destroy(connection); // expired by the sweeper
      }
    }
  }
}

void HttpServer::releaseBatch() {
  EventBatch* batch = currentBatch;
  if (batch == nullptr)
    return;
  // Each was taken once (EPOLLONESHOT) and not handled: arming it again hands it to another
  // worker, as its socket is still readable.
  for (; batch->next < batch->count; ++batch->next) {
    epoll_event again = batch->events[batch->next];
    if (again.data.ptr == &wakeTag_)
      continue;
    int fd = listenFd_;
    std::uint32_t events = EPOLLIN | EPOLLONESHOT;
    if (again.data.ptr != &listenerTag_) {
      auto* source = static_cast<EventSource*>(again.data.ptr);
      fd = source->kind == EventSource::Kind::Relay
               ? static_cast<RelayInFlight*>(source)->upstream->fd()
               : static_cast<ClientConnection*>(source)->fd();
      events |= EPOLLRDHUP;
    }
    watchFd(epoll_, EPOLL_CTL_MOD, fd, events, again.data.ptr);
  }
}

void HttpServer::acceptAll() {
  for (int i = 0; i < kAcceptBurst && !stopping_; ++i) {
    int fd = accept4(listenFd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
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
    auto connection = std::make_unique<ClientConnection>(fd);
    ClientConnection* raw = connection.get();
    raw->idleDeadline = nowMs() + std::chrono::milliseconds(settings_.requestTimeout).count();
    raw->state = ClientConnection::State::Idle;
    {
      std::lock_guard<std::mutex> lock(connectionsMutex_);
      connections_.emplace(raw, std::move(connection));
    }
    if (watchFd(epoll_, EPOLL_CTL_ADD, fd, EPOLLIN | EPOLLRDHUP | EPOLLONESHOT,
                static_cast<EventSource*>(raw)) != 0)
      destroy(raw);
  }
  if (stopping_)
    return;
  watchFd(epoll_, EPOLL_CTL_MOD, listenFd_, EPOLLIN | EPOLLONESHOT, &listenerTag_);
}

void HttpServer::serve(ClientConnection* connection) {
  char* buffer = receiveBuffer();
  for (;;) {
    ssize_t got = recv(connection->fd(), buffer, kReceiveChunk, 0);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      destroy(connection);
      return;
    }
    bool peerDone = got == 0;
    std::size_t received = got > 0 ? static_cast<std::size_t>(got) : 0;
    // Parse from the receive buffer itself when nothing was pending (the usual case).
    bool fromPending = !connection->pending.empty();
    if (fromPending)
      connection->pending.append(buffer, received);
    std::string_view bytes =
        fromPending ? std::string_view(connection->pending) : std::string_view(buffer, received);
    bool expectsContinue = false;
    if (process(connection, bytes, fromPending, &expectsContinue) != Next::Wait)
      return;
    if (peerDone) {
      destroy(connection);
      return;
    }
    if (received == kReceiveChunk)
      continue; // there may be more already
    waitForMore(connection, expectsContinue);
    return;
  }
}

HttpServer::Next HttpServer::process(ClientConnection* connection, std::string_view bytes,
                                     bool fromPending, bool* expectsContinue) {
  // What is left of `bytes` becomes the connection's pending bytes.
  auto keepRest = [&] {
    if (fromPending)
      connection->pending.erase(0, connection->pending.size() - bytes.size());
    else
      connection->pending.assign(bytes.data(), bytes.size());
    if (connection->pending.empty() && connection->pending.capacity() > kReceiveChunk)
      std::string().swap(connection->pending);
  };
  for (;;) {
    ParsedRequest parsed;
    Status error;
    ParseState state = parseRequest(bytes, limits_, &parsed, &error);
    if (state == ParseState::Incomplete) {
      *expectsContinue = parsed.expectsContinue;
      keepRest();
      return Next::Wait;
    }
    if (state == ParseState::Invalid) {
      Reply reply;
      errorReply(&reply, error);
      sendReply(connection, reply, false, false, false);
      destroy(connection);
      return Next::Destroyed;
    }
    bytes.remove_prefix(parsed.consumed);
    connection->continueSent = false;
    Request request;
    request.method = std::move(parsed.method);
    request.target = std::move(parsed.target);
    request.authorization = std::move(parsed.authorization);
    request.host = std::move(parsed.host);
    request.body = std::move(parsed.body);
    if (parsed.upgrade.requested)
      return upgrade(connection, parsed, request, bytes);
    // One spare per worker, so that requests that are not relayed allocate none.
    thread_local std::unique_ptr<RelayInFlight> spare;
    if (!spare)
      spare = std::make_unique<RelayInFlight>();
    if (handler_.beginRelay(request, &spare->command)) {
      std::unique_ptr<RelayInFlight> relay = std::move(spare);
      keepRest();
      relay->keepAlive = parsed.keepAlive;
      relay->http10 = parsed.http10;
      relay->body = std::move(request.body);
      startRelay(connection, std::move(relay));
      return Next::Relaying;
    }
    if (!answer(connection, parsed, request)) {
      destroy(connection);
      return Next::Destroyed;
    }
  }
}

bool HttpServer::answer(ClientConnection* connection, ParsedRequest& parsed, Request& request) {
  int fd = connection->fd();
  request.clientGone = [fd] { return peerClosed(fd); };
  Reply reply;
  if (handler_.answersAtOnce(request)) {
    handler_.handle(request, &reply);
  } else {
    enterBlocking();
    handler_.handle(request, &reply);
    leaveBlocking();
  }
  bool keepAlive = parsed.keepAlive && !reply.closeConnection && !stopping_;
  return sendReply(connection, reply, keepAlive, parsed.http10, request.method == "HEAD") &&
         keepAlive;
}

void HttpServer::enterBlocking() {
  // This worker may wait long (a browser starting, a queue, a handshake): give back the
  // events it took, and keep enough other workers free.
  releaseBatch();
  if (workerCount_.load() - (blockedWorkers_.fetch_add(1) + 1) < spareWorkers_)
    addWorker();
}

void HttpServer::leaveBlocking() {
  blockedWorkers_.fetch_sub(1);
}

HttpServer::Next HttpServer::upgrade(ClientConnection* connection, const ParsedRequest& parsed,
                                     const Request& request, std::string_view clientBytes) {
  enterBlocking();
  Reply reply;
  UpgradeTarget target;
  DialedWebSocket dialed;
  bool accepted = handler_.beginUpgrade(request, parsed.upgrade, &target, &reply);
  if (accepted && !tunnels_.reserve(target.sessionId)) {
    accepted = false;
    jsonReply(&reply, 429,
              errorBody(Status(ErrorCode::UnknownError,
                               "session " + target.sessionId + " has " +
                                   std::to_string(settings_.maxWebSocketsPerSession) +
                                   " websockets open, the most --max-websockets-per-session "
                                   "allows; close one first")));
  }
  if (accepted) {
    Status dial = dialWebSocket(target.url, parsed.upgrade,
                                std::chrono::milliseconds(settings_.requestTimeout), &dialed);
    if (!dial.isOk()) {
      tunnels_.release(target.sessionId);
      accepted = false;
      errorReply(&reply, dial);
    }
  }
  if (accepted && sendAll(connection->fd(), dialed.acceptedHead, {},
                          std::chrono::milliseconds(settings_.requestTimeout)) != 0) {
    tunnels_.release(target.sessionId);
    accepted = false;
  } else if (!accepted) {
    sendReply(connection, reply, false, parsed.http10, false);
  }
  leaveBlocking();
  if (!accepted) {
    destroy(connection);
    return Next::Destroyed;
  }
  epoll_ctl(epoll_, EPOLL_CTL_DEL, connection->fd(), nullptr);
  std::weak_ptr<Session> session = target.session;
  auto tunnel = std::make_unique<WebSocketTunnel>(
      target.sessionId, connection->releaseFd(), std::move(dialed.socket), std::string(clientBytes),
      std::move(dialed.early), [session] {
        if (auto live = session.lock())
          live->noteActivity();
      });
  destroy(connection);
  tunnels_.adopt(std::move(tunnel));
  return Next::Upgraded;
}

bool HttpServer::sendReply(ClientConnection* connection, const Reply& reply, bool keepAlive,
                           bool http10, bool headMethod) {
  thread_local std::string head;
  formatReplyHead(reply, keepAlive, http10, &head);
  return sendAll(connection->fd(), head, headMethod ? std::string_view() : reply.body,
                 std::chrono::milliseconds(settings_.requestTimeout)) == 0;
}

void HttpServer::waitForMore(ClientConnection* connection, bool expectsContinue) {
  if (expectsContinue && !connection->continueSent) {
    connection->continueSent = true;
    if (sendAll(connection->fd(), kContinue, {}, std::chrono::seconds(5)) != 0) {
      destroy(connection);
      return;
    }
  }
  rearm(connection);
}

void HttpServer::startRelay(ClientConnection* connection, std::unique_ptr<RelayInFlight> relay) {
  RelayInFlight* raw = relay.get();
  raw->client = connection;
  connection->relay = std::move(relay);
  RelayedCommand& command = raw->command;
  command.upstream->requestHead(command.method, command.suffix, raw->body.size(), &raw->head);
  Status status = command.upstream->checkout(command.timeout, &raw->upstream, &raw->reused);
  if (!status.isOk()) {
    completeRelay(
        raw, Status(ErrorCode::UnknownError,
                    command.upstream->failure(command.method, command.suffix, status.message())));
    return;
  }
  sendRelay(raw);
}

void HttpServer::sendRelay(RelayInFlight* relay) {
  RelayedCommand& command = relay->command;
  for (;;) {
    bool timedOut = false;
    Status status = relay->upstream->send(relay->head, relay->body, command.timeout, &timedOut);
    if (status.isOk())
      break;
    // A connection that sat idle may have been closed by the driver: send once more on a
    // fresh one, as the blocking relay does.
    if (relay->reused && !relay->resent && !timedOut) {
      relay->resent = true;
      relay->reused = false;
      status = UpstreamConnection::open(command.upstream->host(), command.upstream->port(),
                                        command.timeout, &relay->upstream);
      if (status.isOk())
        continue;
    }
    completeRelay(
        relay,
        Status(ErrorCode::UnknownError,
               timedOut
                   ? command.upstream->noAnswer(command.method, command.suffix, command.timeout)
                   : command.upstream->failure(command.method, command.suffix, status.message())));
    return;
  }
  ClientConnection* connection = relay->client;
  {
    std::lock_guard<std::mutex> guard(connection->idleGuard);
    connection->relayFd = relay->upstream->fd();
    connection->relayDeadline = nowMs() + command.timeout.count();
    connection->relayTimedOut = false;
  }
  UpstreamConnection& upstream = *relay->upstream;
  bool registered = upstream.registeredWith == epoll_;
  upstream.registeredWith = epoll_;
  // From the moment it is armed, another worker may finish (and free) the relay: nothing
  // here touches it afterwards.
  if (watchFd(epoll_, registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, upstream.fd(),
              EPOLLIN | EPOLLRDHUP | EPOLLONESHOT, static_cast<EventSource*>(relay)) != 0) {
    upstream.registeredWith = registered ? epoll_ : -1;
    completeRelay(relay, Status(ErrorCode::UnknownError,
                                std::string("cannot wait for the driver: ") + strerror(errno)));
  }
}

void HttpServer::onRelayEvent(RelayInFlight* relay) {
  RelayedCommand& command = relay->command;
  bool timedOut = false;
  {
    std::lock_guard<std::mutex> guard(relay->client->idleGuard);
    timedOut = relay->client->relayTimedOut;
  }
  if (timedOut) {
    completeRelay(
        relay, Status(ErrorCode::UnknownError,
                      command.upstream->noAnswer(command.method, command.suffix, command.timeout)));
    return;
  }
  Status error;
  bool slow = false;
  ParseState state =
      relay->upstream->receive(false, command.method == "HEAD", &relay->response, &error, &slow);
  if (state == ParseState::Incomplete) {
    if (watchFd(epoll_, EPOLL_CTL_MOD, relay->upstream->fd(), EPOLLIN | EPOLLRDHUP | EPOLLONESHOT,
                static_cast<EventSource*>(relay)) != 0)
      completeRelay(relay, Status(ErrorCode::UnknownError,
                                  std::string("cannot wait for the driver: ") + strerror(errno)));
    return;
  }
  if (state == ParseState::Invalid) {
    if (relay->reused && !relay->resent && !relay->upstream->receivedAny()) {
      relay->resent = true;
      relay->reused = false;
      Status opened = UpstreamConnection::open(command.upstream->host(), command.upstream->port(),
                                               command.timeout, &relay->upstream);
      if (opened.isOk()) {
        sendRelay(relay);
        return;
      }
      error = opened;
    }
    completeRelay(
        relay, Status(ErrorCode::UnknownError,
                      command.upstream->failure(command.method, command.suffix, error.message())));
    return;
  }
  completeRelay(relay, Status::ok());
}

void HttpServer::completeRelay(RelayInFlight* relay, Status status) {
  ClientConnection* connection = relay->client;
  {
    std::lock_guard<std::mutex> guard(connection->idleGuard);
    connection->relayFd = -1; // the sweeper no longer touches the driver's socket
  }
  RelayResponse response;
  if (status.isOk()) {
    response.status = relay->response.status;
    response.contentType = std::move(relay->response.contentType);
    response.body = std::move(relay->response.body);
    relay->command.upstream->checkin(std::move(relay->upstream));
  }
  Reply reply;
  handler_.finishRelay(relay->command, relay->body, std::move(status), std::move(response), &reply);
  bool keepAlive = relay->keepAlive && !reply.closeConnection && !stopping_;
  bool sent =
      sendReply(connection, reply, keepAlive, relay->http10, relay->command.method == "HEAD");
  connection->relay.reset(); // `relay` is gone from here on
  if (!sent || !keepAlive) {
    destroy(connection);
    return;
  }
  // Requests the client sent meanwhile (pipelined) are already in `pending`.
  bool expectsContinue = false;
  if (process(connection, connection->pending, true, &expectsContinue) == Next::Wait)
    waitForMore(connection, expectsContinue);
}

void HttpServer::rearm(ClientConnection* connection) {
  auto timeout =
      connection->pending.empty() ? settings_.keepAliveTimeout : settings_.requestTimeout;
  {
    std::lock_guard<std::mutex> guard(connection->idleGuard);
    connection->idleDeadline = nowMs() + std::chrono::milliseconds(timeout).count();
    connection->state = ClientConnection::State::Idle;
  }
  if (watchFd(epoll_, EPOLL_CTL_MOD, connection->fd(), EPOLLIN | EPOLLRDHUP | EPOLLONESHOT,
              static_cast<EventSource*>(connection)) != 0) {
    // Only this worker could have re-armed it, so it is still ours to end.
    auto idle = ClientConnection::State::Idle;
    if (connection->state.compare_exchange_strong(idle, ClientConnection::State::Busy))
      destroy(connection);
  }
}

void HttpServer::destroy(ClientConnection* connection) {
  std::lock_guard<std::mutex> lock(connectionsMutex_);
  connections_.erase(connection);
}

void HttpServer::sweepLoop() {
  std::unique_lock<std::mutex> wait(sweepMutex_);
  while (!stopping_) {
    sweepWake_.wait_for(wait, std::chrono::seconds(1));
    std::int64_t now = nowMs();
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

void HttpServer::stop() {
  if (!started_)
    return;
  started_ = false;
  {
    std::lock_guard<std::mutex> lock(workersMutex_);
    stopping_ = true;
  }
  // Stop accepting now, but close the descriptor only once no worker can still re-arm it:
  // its number could otherwise be reused by another socket in between.
  epoll_ctl(epoll_, EPOLL_CTL_DEL, listenFd_, nullptr);
  shutdown(listenFd_, SHUT_RDWR);
  {
    std::lock_guard<std::mutex> lock(connectionsMutex_);
    for (auto& [raw, connection] : connections_)
      shutdown(connection->fd(), SHUT_RDWR);
  }
  std::uint64_t one = 1;
  (void)!write(wake_, &one, sizeof one);
  {
    std::lock_guard<std::mutex> lock(sweepMutex_);
    sweepWake_.notify_all();
  }
  sweeper_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(workersMutex_);
    workers.swap(workers_);
  }
  for (auto& worker : workers)
    worker.join();
  tunnels_.stop();
  listener_.close();
  connections_.clear();
  close(wake_);
  close(epoll_);
}

} // namespace wdh
