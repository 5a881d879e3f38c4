#include "server/http_server.h"

#include "core/log.h"
#include "server/reply_head.h"
#include "server/responses.h"
#include "server/socket_io.h"

#include <Poco/Exception.h>
#include <Poco/Net/SocketAddress.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace wdh {
namespace {

constexpr std::size_t kReceiveChunk = 64 * 1024;
constexpr int kAcceptBurst = 64;
constexpr int kInitialWorkers = 2;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

std::int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Where a worker reads client bytes to; a whole request usually arrives in one read and is
// parsed straight from here, so idle connections keep no buffer of their own.
char* receiveBuffer() {
  thread_local std::unique_ptr<char[]> buffer(new char[kReceiveChunk]);
  return buffer.get();
}

} // namespace

HttpServer::HttpServer(SessionService& service, SessionsApi* api, ServerSettings settings)
    : handler_(service, api, settings.authToken), settings_(std::move(settings)) {
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
  started_ = true;
  for (int i = 0; i < std::min(kInitialWorkers, settings_.maxThreads); ++i)
    addWorker();
  sweeper_ = std::thread(&HttpServer::sweepLoop, this);
  return Status::ok();
}

void HttpServer::addWorker() {
  std::lock_guard<std::mutex> lock(workersMutex_);
  if (stopping_ || workers_.size() >= static_cast<std::size_t>(settings_.maxThreads))
    return;
  try {
    idleWorkers_.fetch_add(1); // counted idle from birth, so a burst spawns one, not many
    workers_.emplace_back(&HttpServer::workerLoop, this);
  } catch (const std::system_error& e) {
    idleWorkers_.fetch_sub(1);
    log(LogLevel::Warn, "http", std::string("cannot start another worker: ") + e.what());
  }
}

void HttpServer::workerLoop() {
  epoll_event event{};
  for (;;) {
    int ready = epoll_wait(epoll_, &event, 1, 1000);
    if (stopping_) {
      idleWorkers_.fetch_sub(1);
      return;
    }
    if (ready <= 0)
      continue; // timeout or EINTR: look at stopping_ again
    if (event.data.ptr == &wakeTag_)
      continue;
    // The last idle worker takes this event: start another, so new requests are not left
    // waiting behind a long one.
    if (idleWorkers_.fetch_sub(1) == 1)
      addWorker();
    if (event.data.ptr == &listenerTag_) {
      acceptAll();
    } else {
      auto* connection = static_cast<ClientConnection*>(event.data.ptr);
      auto idle = ClientConnection::State::Idle;
      if (connection->state.compare_exchange_strong(idle, ClientConnection::State::Busy))
        serve(connection);
      else
        destroy(connection); // expired by the sweeper
    }
    idleWorkers_.fetch_add(1);
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
    epoll_event watch{};
    watch.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
    watch.data.ptr = raw;
    if (epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &watch) != 0)
      destroy(raw);
  }
  if (stopping_)
    return;
  epoll_event listen{};
  listen.events = EPOLLIN | EPOLLONESHOT;
  listen.data.ptr = &listenerTag_;
  epoll_ctl(epoll_, EPOLL_CTL_MOD, listenFd_, &listen);
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
    ParsedRequest parsed;
    for (;;) {
      Status error;
      ParseState state = parseRequest(bytes, limits_, &parsed, &error);
      if (state == ParseState::Incomplete)
        break;
      if (state == ParseState::Invalid) {
        Reply reply;
        errorReply(&reply, error);
        std::string head;
        formatReplyHead(reply, false, false, &head);
        sendAll(connection->fd(), head, reply.body,
                std::chrono::milliseconds(std::chrono::seconds(5)));
        destroy(connection);
        return;
      }
      bytes.remove_prefix(parsed.consumed);
      connection->continueSent = false;
      if (!answer(connection, parsed)) {
        destroy(connection);
        return;
      }
    }
    // Keep what is left: the start of the next request.
    if (fromPending)
      connection->pending.erase(0, connection->pending.size() - bytes.size());
    else
      connection->pending.assign(bytes.data(), bytes.size());
    if (connection->pending.empty() && connection->pending.capacity() > kReceiveChunk)
      std::string().swap(connection->pending);
    if (peerDone) {
      destroy(connection);
      return;
    }
    if (received == kReceiveChunk)
      continue; // there may be more already
    if (parsed.expectsContinue && !connection->continueSent) {
      connection->continueSent = true;
      if (!sendAll(connection->fd(), kContinue, {}, std::chrono::seconds(5))) {
        destroy(connection);
        return;
      }
    }
    rearm(connection);
    return;
  }
}

bool HttpServer::answer(ClientConnection* connection, ParsedRequest& parsed) {
  Request request;
  request.method = std::move(parsed.method);
  request.target = std::move(parsed.target);
  request.authorization = std::move(parsed.authorization);
  request.body = std::move(parsed.body);
  int fd = connection->fd();
  request.clientGone = [fd] { return peerClosed(fd); };
  Reply reply;
  handler_.handle(request, &reply);
  bool keepAlive = parsed.keepAlive && !reply.closeConnection && !stopping_;
  thread_local std::string head;
  formatReplyHead(reply, keepAlive, parsed.http10, &head);
  std::string_view body = request.method == "HEAD" ? std::string_view() : reply.body;
  if (!sendAll(fd, head, body, std::chrono::milliseconds(settings_.requestTimeout)))
    return false;
  return keepAlive;
}

void HttpServer::rearm(ClientConnection* connection) {
  auto timeout =
      connection->pending.empty() ? settings_.keepAliveTimeout : settings_.requestTimeout;
  {
    std::lock_guard<std::mutex> guard(connection->idleGuard);
    connection->idleDeadline = nowMs() + std::chrono::milliseconds(timeout).count();
    connection->state = ClientConnection::State::Idle;
  }
  epoll_event watch{};
  watch.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
  watch.data.ptr = connection;
  if (epoll_ctl(epoll_, EPOLL_CTL_MOD, connection->fd(), &watch) != 0) {
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
  epoll_ctl(epoll_, EPOLL_CTL_DEL, listenFd_, nullptr);
  listener_.close();
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
  connections_.clear();
  close(wake_);
  close(epoll_);
}

} // namespace wdh
