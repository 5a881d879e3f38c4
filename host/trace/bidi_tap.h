// Follows a traced session's WebDriver BiDi websocket as its bytes are relayed: each command the
// client sends ({"id", "method", "params"}) goes into the trace as it begins, its answer
// ({"id", "type": "success" | "error"}) ends it, and the events the client subscribed to become
// the trace's console lines (log.entryAdded) and requests (network.*).
#pragma once

#include "http/websocket.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string_view>

namespace wdh {

class SessionTrace;

// On the relaying thread only.
class BidiTap : public WebSocketTap {
public:
  // The longest message followed; a longer one (a screenshot's answer) is passed over.
  static constexpr std::size_t kMaxMessage = 1 << 20;
  // The most commands awaiting their answer; past it the oldest are forgotten.
  static constexpr std::size_t kMaxOpen = 1000;

  explicit BidiTap(std::weak_ptr<SessionTrace> trace) : trace_(std::move(trace)) {}
  void bytes(bool fromClient, const char* data, std::size_t size) noexcept override;

private:
  void fromClient(SessionTrace& trace, std::string_view message);
  void fromBrowser(SessionTrace& trace, std::string_view message);

  std::weak_ptr<SessionTrace> trace_;
  WebSocketMessageReader client_{kMaxMessage, WebSocketMessageReader::Mode::Follow};
  WebSocketMessageReader browser_{kMaxMessage, WebSocketMessageReader::Mode::Follow};
  std::map<std::int64_t, std::uint64_t> open_; // BiDi command id -> trace command number
};

} // namespace wdh
