// The hook through which the host's tracer sees sessions: New Session asks it to trace a session
// (wdhost:trace), every command of a traced session is told at its start and at its end, and
// what the client says of how its test went. The tracer itself lives above this layer.
#pragma once

#include "core/status.h"
#include "http/websocket.h"
#include "relay/upstream.h"
#include "webdriver/trace_ask.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace wdh {

class Session;

// Traces sessions. Thread-safe; every method but begin() is called on the thread that moves the
// command's bytes (the event loop for relayed commands) and must neither block nor throw.
class CommandTracer {
public:
  virtual ~CommandTracer() = default;
  // True while some session is traced: the callers' cheap check before the calls below.
  virtual bool tracing() const noexcept = 0;
  // Traces live session `session` (of `browser`) when `ask`, else --trace, says so; *traced
  // tells which. An error only when a trace was asked for by name and cannot be made.
  virtual Status begin(const std::shared_ptr<Session>& session, const std::string& browser,
                       const TraceAsk& ask, bool* traced) = 0;
  // Command `method suffix` with request `body` begins on session `id`: the number to finish
  // it with, 0 when the session is not traced.
  virtual std::uint64_t commandStarted(std::string_view id, std::string_view method,
                                       std::string_view suffix, std::string_view body) = 0;
  // Command `command` (from commandStarted, not 0) of session `id` ended with `status` and,
  // when that is Ok, the backend's answer `out`.
  virtual void commandFinished(std::uint64_t command, std::string_view id, const Status& status,
                               const RelayResponse& out) = 0;
  // True when session `id`'s commands are to wait for its trace: a backend without a screencast,
  // whose pictures and questions are commands of the session that must not interleave with the
  // client's. Such commands run where they may wait (not relayed by the event loop).
  virtual bool waitsFor(std::string_view id) const = 0;
  // After commandFinished(): waits (bounded) until the trace took its picture of the page as
  // command `command` of session `id` left it, before the client hears the answer. On a thread
  // that may wait.
  virtual void await(std::uint64_t command, std::string_view id) = 0;
  // What follows session `id`'s WebDriver BiDi messages (each command with its answer, and the
  // events its client subscribed to) into its trace; null when the session is not traced.
  virtual std::unique_ptr<WebSocketTap> tapBidi(std::string_view id) = 0;
  // Session `id` ended and its browser is about to be torn down: waits at most `bound` for its
  // trace to take the page as the last command left it. On a thread that may wait.
  virtual void settle(std::string_view id, std::chrono::milliseconds bound) = 0;
  // The client said how its test went (Grid's session event, a vendor's status script).
  virtual void noteEvent(std::string_view id, std::string_view eventType) = 0;
};

} // namespace wdh
