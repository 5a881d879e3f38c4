// The host's one WebSocket client for its own conversations with a browser or driver (BiDi,
// DevTools): whole text messages in and out over ws://, pings answered, every wait bounded.
// Client traffic that only passes through (the relay's websocket tunnel) does not use it: it
// moves bytes, not messages (relay/websocket_dial.h, server/websocket_tunnel.h).
#pragma once

#include "core/status.h"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace Poco::Net {
class WebSocket;
}

namespace wdh {

// One open websocket; one thread at a time; closed by the destructor.
class WebSocketClient {
public:
  // Connects to `url` (ws:// only) within `timeout`; a message longer than `maxMessage` bytes
  // is an error rather than buffered. UnknownError naming the cause when it cannot.
  static Status open(const std::string& url, std::chrono::milliseconds timeout,
                     std::size_t maxMessage, std::unique_ptr<WebSocketClient>* out);
  ~WebSocketClient();
  WebSocketClient(const WebSocketClient&) = delete;
  WebSocketClient& operator=(const WebSocketClient&) = delete;

  // Sends `text` as one text message, waiting at most until `deadline`.
  Status send(std::string_view text, std::chrono::steady_clock::time_point deadline);
  // Reads the next whole data message (continuations joined; pings answered, pongs skipped)
  // into *out. Timeout when `deadline` passes first; UnknownError when the peer closed, or the
  // message is over the cap.
  Status receive(std::chrono::steady_clock::time_point deadline, std::string* out);

private:
  WebSocketClient(std::unique_ptr<Poco::Net::WebSocket> socket, std::size_t maxMessage);
  std::unique_ptr<Poco::Net::WebSocket> socket_;
  std::size_t maxMessage_;
};

} // namespace wdh
