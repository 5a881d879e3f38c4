// One command relayed to a session's driver without a thread waiting for the answer: the
// request as sent, the connection it went out on, and the client waiting for it.
#pragma once

#include "relay/upstream_connection.h"
#include "server/event_source.h"
#include "webdriver/session_service.h"

#include <memory>
#include <string>

namespace wdh {

class ClientConnection;

// Owned by its client connection while the driver works; its upstream socket is registered
// with the server's epoll set and points here.
struct RelayInFlight : EventSource {
  RelayInFlight() : EventSource(Kind::Relay) {}

  ClientConnection* client = nullptr;           // who gets the answer
  RelayedCommand command;                       // the session's side of the command
  std::unique_ptr<UpstreamConnection> upstream; // where it was sent
  bool reused = false;                          // `upstream` was idle before: may be stale
  bool resent = false;                          // already sent again on a fresh connection
  std::string head;                             // the request head, kept for a resend
  std::string body;                             // the request body
  bool keepAlive = true;                        // the client keeps its connection
  bool http10 = false;                          // the client spoke HTTP/1.0
  ParsedResponse response;                      // the driver's answer, once complete
};

} // namespace wdh
