// Opening a websocket to a session's driver or browser on behalf of a client: the upstream
// half of a relayed BiDi or CDP connection.
#pragma once

#include "core/status.h"
#include "http/websocket.h"

#include <Poco/Net/StreamSocket.h>
#include <chrono>
#include <string>

namespace wdh {

// An upstream websocket whose opening handshake succeeded.
struct DialedWebSocket {
  Poco::Net::StreamSocket socket; // connected, handshake done
  std::string acceptedHead;       // the 101 head to send to the client, ending in a blank line
  std::string early;              // bytes the upstream sent after its 101 head (frames)
};

// Connects to `url` (ws://host:port/path) and performs the opening handshake with the client's
// key, protocol and extensions, so that the upstream's answer fits the client as is and the
// frames need no re-encoding. No Origin is sent (the host has authenticated the client), and
// Host names the upstream itself, as browsers accept only local Host headers. Waits at most
// `timeout`. UnknownError naming the upstream's answer when it refuses.
Status dialWebSocket(const std::string& url, const WebSocketUpgrade& client,
                     std::chrono::milliseconds timeout, DialedWebSocket* out);

// The browser-level CDP websocket URL of the DevTools endpoint at `httpBase`
// ("http://127.0.0.1:N"), read from its /json/version.
Status devToolsBrowserUrl(const std::string& httpBase, std::chrono::milliseconds timeout,
                          std::string* url);

} // namespace wdh
