// One command relayed to a session's driver without a thread waiting for the answer: the
// call on its upstream connection, and the client waiting for it.
#pragma once

#include "relay/relay_call.h"
#include "server/event_source.h"
#include "webdriver/session_service.h"

namespace wdh {

class ClientConnection;

// Owned by its client connection while the driver works; its upstream socket is registered
// with the server's event loop and points here.
struct RelayInFlight : EventSource {
  RelayInFlight() : EventSource(Kind::Relay) {}

  ClientConnection* client = nullptr; // who gets the answer
  RelayedCommand command;             // the session's side of the command
  RelayCall call;                     // the exchange with the driver
  bool keepAlive = true;              // the client keeps its connection
  bool http10 = false;                // the client spoke HTTP/1.0
  bool waitingToWrite = false;        // armed for the driver's socket to be writable
};

} // namespace wdh
