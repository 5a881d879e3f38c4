// The server's side of a relayed command: the driver's socket waits in the event loop, so no
// thread waits for a driver; the sweeper enforces the command's deadline.
#include "core/time.h"
#include "server/http_server.h"

#include <cerrno>
#include <cstring>

namespace wdh {
void HttpServer::startRelay(ClientConnection* connection, std::unique_ptr<RelayInFlight> relay,
                            std::string body) {
  RelayInFlight* raw = relay.get();
  raw->client = connection;
  connection->relay = std::move(relay);
  RelayedCommand& command = raw->command;
  raw->call.prepare(command.upstream, command.method, command.suffix, std::move(body),
                    command.timeout);
  {
    std::lock_guard<std::mutex> guard(connection->idleGuard);
    connection->relayDeadline = steadyNowMs() + command.timeout.count();
    connection->relayTimedOut = false;
  }
  continueRelay(raw, raw->call.start());
}

void HttpServer::onRelayEvent(RelayInFlight* relay) {
  bool timedOut = false;
  {
    std::lock_guard<std::mutex> guard(relay->client->idleGuard);
    timedOut = relay->client->relayTimedOut;
  }
  RelayCall& call = relay->call;
  continueRelay(relay, timedOut                ? call.expire()
                       : relay->waitingToWrite ? call.onWritable()
                                               : call.onReadable());
}

void HttpServer::continueRelay(RelayInFlight* relay, RelayCall::Step step) {
  if (step == RelayCall::Step::Done) {
    completeRelay(relay);
    return;
  }
  ClientConnection* connection = relay->client;
  UpstreamConnection& upstream = *relay->call.connection();
  {
    // The sweeper shuts this socket down once the deadline passes, which wakes the relay.
    std::lock_guard<std::mutex> guard(connection->idleGuard);
    connection->relayFd = upstream.fd();
  }
  bool registered = upstream.registeredWith == loop_.id();
  upstream.registeredWith = loop_.id();
  relay->waitingToWrite = step == RelayCall::Step::WaitWritable;
  // From the moment it is armed, another worker may finish (and free) the relay: nothing
  // here touches it afterwards.
  if (!loop_.watch(relay, upstream.fd(), !registered, relay->waitingToWrite)) {
    upstream.registeredWith = registered ? loop_.id() : -1;
    relay->call.fail(std::string("cannot wait for the driver: ") + strerror(errno));
    completeRelay(relay);
  }
}

void HttpServer::completeRelay(RelayInFlight* relay) {
  ClientConnection* connection = relay->client;
  {
    std::lock_guard<std::mutex> guard(connection->idleGuard);
    connection->relayFd = -1; // the sweeper no longer touches the driver's socket
  }
  RelayCall& call = relay->call;
  Status status = call.status();
  RelayResponse response;
  if (status.isOk()) {
    response.status = call.response().status;
    response.contentType = std::move(call.response().contentType);
    response.body = std::move(call.response().body);
  }
  call.settle();
  Reply reply;
  handler_.finishRelay(relay->command, call.body(), std::move(status), std::move(response), &reply);
  bool keepAlive = relay->keepAlive && !reply.closeConnection && !loop_.stopping();
  Sent sent = sendReply(connection, reply, keepAlive, relay->http10, call.method() == "HEAD");
  connection->relay.reset(); // `relay` is gone from here on
  goOn(connection, sent, keepAlive);
}

} // namespace wdh
