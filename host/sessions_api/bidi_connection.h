// The host's own WebDriver BiDi connection to a session's driver, beside any client's: one
// thread sends a command and reads until its answer, handing every event on the way to a
// callback. Used by the sessions API for what classic WebDriver cannot tell (network events,
// cookies of any site).
#pragma once

#include "core/status.h"
#include "http/websocket_client.h"

#include <chrono>
#include <functional>
#include <memory>
#include <rapidjson/document.h>
#include <string>
#include <string_view>

namespace wdh {

// One BiDi websocket; not thread-safe (one thread at a time); closed by the destructor.
class BidiConnection {
public:
  // Called with each event's "method" and "params" read while waiting for an answer.
  using EventSink = std::function<void(std::string_view method, const rapidjson::Value& params)>;

  // Connects to `url` (the driver's ws:// BiDi endpoint of a live session); every read and
  // write gives up after `timeout`.
  static Status open(const std::string& url, std::chrono::milliseconds timeout,
                     std::unique_ptr<BidiConnection>* out);
  ~BidiConnection();
  BidiConnection(const BidiConnection&) = delete;
  BidiConnection& operator=(const BidiConnection&) = delete;

  // Sends `method` with `params` (a JSON object) and reads until its answer, passing events to
  // `events` (may be empty). *result gets the answer's "result"; a BiDi error becomes a Status
  // with its code and message. Gives up after `deadline` from now.
  Status call(std::string_view method, const rapidjson::Value& params, rapidjson::Document* result,
              const EventSink& events, std::chrono::milliseconds deadline);

private:
  explicit BidiConnection(std::unique_ptr<WebSocketClient> socket);
  std::unique_ptr<WebSocketClient> socket_;
  int nextId_ = 1;
};

} // namespace wdh
