// HTTP/1.1 on one client connection: reading what arrived, framing requests (pipelined ones
// too), answering them at once, relaying them, running handlers that may block, and handing
// websocket upgrades to the tunnel loop.
#include "core/time.h"
#include "http/responses.h"
#include "http/socket_io.h"
#include "relay/websocket_dial.h"
#include "server/http_server.h"
#include "server/reply_head.h"

#include <Poco/Net/StreamSocketImpl.h>
#include <cerrno>
#include <sys/socket.h>

namespace wdh {
namespace {

constexpr std::size_t kReceiveChunk = 64 * 1024;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// Where a worker reads client bytes to; a whole request usually arrives in one read and is
// parsed straight from here, so idle connections keep no buffer of their own.
char* receiveBuffer() {
  thread_local std::unique_ptr<char[]> buffer(new char[kReceiveChunk]);
  return buffer.get();
}

} // namespace

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
  auto refuse = [&](Reply& reply, bool http10) {
    // The body (if any) was not read: the connection cannot go on.
    sendReply(connection, reply, false, http10, false);
    destroy(connection);
    return Next::Destroyed;
  };
  for (;;) {
    Request request;
    Status error;
    ParseState state = parseRequest(bytes, limits_, &request, &error);
    if (state == ParseState::Incomplete) {
      // The head alone decides whether the body may be read at all (a token, a browser's
      // Origin): nothing is buffered, and no 100 Continue sent, for a request refused on it.
      Reply refused;
      if (request.headComplete && !handler_.screen(request, &refused))
        return refuse(refused, request.http10);
      *expectsContinue = request.expectsContinue;
      keepRest();
      return Next::Wait;
    }
    if (state == ParseState::Invalid) {
      Reply reply;
      errorReply(&reply, error);
      return refuse(reply, false);
    }
    bytes.remove_prefix(request.consumed);
    connection->continueSent = false;
    request.clientFd = connection->fd();
    int fd = connection->fd();
    request.clientGone = [fd] { return peerClosed(fd); };
    // One spare per worker, so that requests that are not relayed allocate none.
    thread_local std::unique_ptr<RelayInFlight> spare;
    if (!spare)
      spare = std::make_unique<RelayInFlight>();
    Route route;
    Reply reply;
    switch (handler_.dispatch(request, &spare->command, &route, &reply)) {
    case Action::Upgrade:
    case Action::Job: {
      bool upgrading = request.upgrade.requested;
      // The bytes after an upgrade request are the client's first websocket frames.
      std::string clientBytes = upgrading ? std::string(bytes) : std::string();
      if (upgrading)
        bytes = {};
      keepRest();
      auto job = std::make_shared<Request>(std::move(request));
      if (startJob(connection, &job, std::move(clientBytes), upgrading))
        return Next::Working;
      busyReply(&reply);
      if (upgrading)
        return refuse(reply, job->http10);
      request = std::move(*job);
      break;
    }
    case Action::Relay: {
      std::unique_ptr<RelayInFlight> relay = std::move(spare);
      keepRest();
      relay->keepAlive = request.keepAlive;
      relay->http10 = request.http10;
      startRelay(connection, std::move(relay), std::move(request.body));
      return Next::Relaying;
    }
    case Action::Answer:
      break;
    }
    bool keepAlive = false;
    Sent sent = answer(connection, request, reply, &keepAlive);
    if (sent == Sent::Failed || (sent == Sent::Done && !keepAlive)) {
      destroy(connection);
      return Next::Destroyed;
    }
    if (sent == Sent::Pending) {
      // The client is not reading: the rest goes when it does, then the requests it sent
      // meanwhile.
      keepRest();
      connection->closeAfterWrite = !keepAlive;
      waitWritable(connection);
      return Next::Writing;
    }
  }
}

HttpServer::Sent HttpServer::answer(ClientConnection* connection, const Request& request,
                                    const Reply& reply, bool* keepAlive) {
  *keepAlive = request.keepAlive && !reply.closeConnection && !loop_.stopping();
  return sendReply(connection, reply, *keepAlive, request.http10, request.method == "HEAD");
}

void HttpServer::goOn(ClientConnection* connection, Sent sent, bool keepAlive) {
  if (sent == Sent::Failed || (sent == Sent::Done && !keepAlive)) {
    destroy(connection);
    return;
  }
  if (sent == Sent::Pending) {
    connection->closeAfterWrite = !keepAlive;
    waitWritable(connection);
    return;
  }
  // Requests the client sent meanwhile (pipelined) are already in `pending`.
  bool expectsContinue = false;
  if (process(connection, connection->pending, true, &expectsContinue) == Next::Wait)
    waitForMore(connection, expectsContinue);
}

void HttpServer::busyReply(Reply* reply) const {
  jsonReply(reply, 503,
            errorBody(Status(ErrorCode::UnknownError,
                             "the host is busy: all " + std::to_string(jobs_.maxThreads()) +
                                 " threads for work that may wait (New Session, the sessions "
                                 "API, in-process commands) are taken (--max-threads); try "
                                 "again shortly")));
  reply->headers.emplace_back("Retry-After", "1");
}

bool HttpServer::startJob(ClientConnection* connection, std::shared_ptr<Request>* request,
                          std::string clientBytes, bool upgrade) {
  std::shared_ptr<Request> held = *request;
  JobExecutor::Job job = [this, connection, held, bytes = std::move(clientBytes), upgrade] {
    runJob(connection, held, bytes, upgrade);
  };
  return jobs_.trySubmit(job);
}

void HttpServer::runJob(ClientConnection* connection, const std::shared_ptr<Request>& request,
                        const std::string& clientBytes, bool upgrade) {
  // The dispatching worker's route held views into its own copy of the request.
  Route route;
  handler_.routeOf(*request, &route);
  if (upgrade)
    return this->upgrade(connection, *request, route, clientBytes);
  handler_.run(*request, route, [this, connection, request](Reply reply) {
    finishJob(connection, *request, reply);
  });
}

void HttpServer::finishJob(ClientConnection* connection, const Request& request,
                           const Reply& reply) {
  bool keepAlive = false;
  Sent sent = answer(connection, request, reply, &keepAlive);
  goOn(connection, sent, keepAlive);
}

void HttpServer::upgrade(ClientConnection* connection, const Request& request, const Route& route,
                         std::string_view clientBytes) {
  // On the job executor: checking the session and dialing the driver or browser may take a
  // moment.
  Reply reply;
  UpgradeTarget target;
  DialedWebSocket dialed;
  bool accepted = handler_.beginUpgrade(request, route, &target, &reply);
  if (accepted && !tunnels_.reserve(target.sessionId)) {
    accepted = false;
    jsonReply(&reply, 429,
              errorBody(Status(ErrorCode::UnknownError,
                               "session " + target.sessionId + " has " +
                                   std::to_string(settings_.maxWebSocketsPerSession) +
                                   " websockets open, the most --max-websockets-per-session "
                                   "allows; close one first")));
  }
  if (accepted && target.local.get() >= 0) {
    // A websocket the host serves itself: its end of the stream stands for the upstream.
    dialed.socket =
        Poco::Net::StreamSocket(new Poco::Net::StreamSocketImpl(target.local.release()));
    dialed.acceptedHead = acceptedUpgradeHead(request.upgrade);
  } else if (accepted) {
    // A followed stream is not compressed: no extension is offered upstream for it.
    WebSocketUpgrade asked = request.upgrade;
    if (target.tap)
      asked.extensions.clear();
    Status dial = dialWebSocket(target.url, asked,
                                std::chrono::milliseconds(settings_.requestTimeout), &dialed);
    if (!dial.isOk()) {
      tunnels_.release(target.sessionId);
      accepted = false;
      errorReply(&reply, dial);
    }
  }
  if (!accepted) {
    sendReply(connection, reply, false, request.http10, false);
  } else if (sendAll(connection->fd(), dialed.acceptedHead, {},
                     std::chrono::milliseconds(settings_.requestTimeout)) != 0) {
    tunnels_.release(target.sessionId);
    accepted = false;
  }
  if (!accepted) {
    destroy(connection);
    return;
  }
  // From here on the tunnel loop owns the client's socket.
  loop_.forget(connection->fd());
  std::weak_ptr<Session> session = target.session;
  auto tunnel = std::make_unique<WebSocketTunnel>(
      target.sessionId, connection->releaseFd(), std::move(dialed.socket), std::string(clientBytes),
      std::move(dialed.early), [session] {
        if (auto live = session.lock())
          live->noteActivity();
      });
  if (target.tap)
    tunnel->setTap(std::move(target.tap));
  destroy(connection);
  tunnels_.adopt(std::move(tunnel));
}

HttpServer::Sent HttpServer::sendReply(ClientConnection* connection, const Reply& reply,
                                       bool keepAlive, bool http10, bool headMethod) {
  thread_local std::string head;
  formatReplyHead(reply, keepAlive, http10, &head);
  std::string_view body = headMethod ? std::string_view() : std::string_view(reply.body);
  std::size_t sent = 0;
  int failed = sendWithoutWaiting(connection->fd(), head, body, &sent);
  if (failed != 0)
    return Sent::Failed;
  if (sent == head.size() + body.size())
    return Sent::Done;
  // A worker never waits for a slow reader: what the socket did not take waits here.
  connection->out.clear();
  if (sent < head.size())
    connection->out.append(head, sent, std::string::npos).append(body);
  else
    connection->out.append(body.substr(sent - head.size()));
  connection->outSent = 0;
  return Sent::Pending;
}

void HttpServer::waitWritable(ClientConnection* connection) {
  connection->writing = true;
  {
    std::lock_guard<std::mutex> guard(connection->idleGuard);
    connection->idleDeadline =
        steadyNowMs() + std::chrono::milliseconds(settings_.requestTimeout).count();
    connection->state = ClientConnection::State::Idle;
  }
  if (!loop_.watch(connection, connection->fd(), false, true)) {
    auto idle = ClientConnection::State::Idle;
    if (connection->state.compare_exchange_strong(idle, ClientConnection::State::Busy))
      destroy(connection);
  }
}

void HttpServer::continueWriting(ClientConnection* connection) {
  std::string& out = connection->out;
  std::size_t sent = 0;
  int failed = sendWithoutWaiting(connection->fd(),
                                  std::string_view(out).substr(connection->outSent), {}, &sent);
  connection->outSent += sent;
  if (failed != 0) {
    destroy(connection);
    return;
  }
  if (connection->outSent < out.size()) {
    waitWritable(connection);
    return;
  }
  connection->writing = false;
  std::string().swap(out);
  connection->outSent = 0;
  goOn(connection, connection->closeAfterWrite ? Sent::Failed : Sent::Done, true);
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

} // namespace wdh
