// A chrome tab's screencast over the host's own DevTools connection: CDP Page.startScreencast
// on the browser's first page, each frame acknowledged (Page.screencastFrameAck) as it arrives.
#pragma once

#include "core/status.h"
#include "http/websocket_client.h"

#include <chrono>
#include <memory>
#include <string>

namespace wdh {

// One screencast. One thread at a time.
class ChromeScreencast {
public:
  // Finds the first page of the browser whose DevTools endpoint is `cdpBase` ("http://host:port")
  // and starts its screencast (JPEG, at most `maxWidth` x `maxHeight`), all by `deadline`;
  // UnknownError naming the cause when it cannot.
  static Status open(const std::string& cdpBase, int maxWidth, int maxHeight,
                     std::chrono::steady_clock::time_point deadline,
                     std::unique_ptr<ChromeScreencast>* out);

  // Waits until `deadline` for the next frame: Ok with the JPEG in *jpeg (acknowledged), Timeout
  // when none came, UnknownError when the page or the browser went away.
  Status nextFrame(std::chrono::steady_clock::time_point deadline, std::string* jpeg);

private:
  explicit ChromeScreencast(std::unique_ptr<WebSocketClient> socket) : socket_(std::move(socket)) {}
  std::unique_ptr<WebSocketClient> socket_;
  int nextId_ = 2; // 1 is Page.startScreencast
};

} // namespace wdh
