// HTTP/1.1 on one client connection: reading what arrived, framing requests (pipelined ones
// too), answering them at once, relaying them, running handlers that may block, and handing
// websocket upgrades to the tunnel loop.
#include "http/socket_io.h"
#include "relay/websocket_dial.h"
#include "server/http_server.h"
#include "server/reply_head.h"
#include "server/responses.h"

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
  for (;;) {
    Request request;
    Status error;
    ParseState state = parseRequest(bytes, limits_, &request, &error);
    if (state == ParseState::Incomplete) {
      *expectsContinue = request.expectsContinue;
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
      return upgrade(connection, request, route, bytes);
    case Action::Relay: {
      std::unique_ptr<RelayInFlight> relay = std::move(spare);
      keepRest();
      relay->keepAlive = request.keepAlive;
      relay->http10 = request.http10;
      startRelay(connection, std::move(relay), std::move(request.body));
      return Next::Relaying;
    }
    case Action::Job:
      loop_.enterBlocking();
      handler_.run(request, route, &reply);
      loop_.leaveBlocking();
      break;
    case Action::Answer:
      break;
    }
    if (!answer(connection, request, reply)) {
      destroy(connection);
      return Next::Destroyed;
    }
  }
}

bool HttpServer::answer(ClientConnection* connection, const Request& request, const Reply& reply) {
  bool keepAlive = request.keepAlive && !reply.closeConnection && !loop_.stopping();
  return sendReply(connection, reply, keepAlive, request.http10, request.method == "HEAD") &&
         keepAlive;
}

HttpServer::Next HttpServer::upgrade(ClientConnection* connection, const Request& request,
                                     const Route& route, std::string_view clientBytes) {
  // Checking the session and dialing the driver or browser may take a moment.
  loop_.enterBlocking();
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
  if (accepted) {
    Status dial = dialWebSocket(target.url, request.upgrade,
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
  loop_.leaveBlocking();
  if (!accepted) {
    destroy(connection);
    return Next::Destroyed;
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

} // namespace wdh
