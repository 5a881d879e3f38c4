// What happens to sessions, told to whoever watches: the metrics count it, the websocket loop
// closes a session's sockets, the sessions API drops a session's network. Any number of
// watchers; each is told every event, on the thread where it happens.
#pragma once

#include "session/end_cause.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace wdh {

// How a command reached its backend.
enum class CommandPath { Relayed, InProcess };

// A watcher of sessions; every method has an empty default. Thread-safe: called from any thread,
// concurrently. Must not block, throw, or call back into the session service.
class SessionEvents {
public:
  virtual ~SessionEvents() = default;
  // A New Session on `plugin` succeeded after `seconds`.
  virtual void sessionCreated(const std::string& plugin, double seconds) {
    (void)plugin;
    (void)seconds;
  }
  // A New Session failed with W3C error `error` ("none" as plugin when no plugin matched).
  virtual void sessionFailed(const std::string& plugin, std::string_view error) {
    (void)plugin;
    (void)error;
  }
  // A New Session of `plugin` got a browser started ahead.
  virtual void warmHandedOver(const std::string& plugin) { (void)plugin; }
  // Session `id` is ending, before its backend is torn down: its websockets get `closeCode`
  // and `why`.
  virtual void sessionEnding(const std::string& id, std::uint16_t closeCode,
                             const std::string& why) {
    (void)id;
    (void)closeCode;
    (void)why;
  }
  // Session `id` is ending for `cause` (told just after sessionEnding, before its teardown).
  virtual void sessionEndedBecause(const std::string& id, EndCause cause) {
    (void)id;
    (void)cause;
  }
  // A session of `plugin` ended (torn down) for `cause`.
  virtual void sessionClosed(const std::string& plugin, EndCause cause) {
    (void)plugin;
    (void)cause;
  }
  // A command of a session of `plugin` took `seconds`; `failed`: a relayed command got no
  // answer from its driver (refused, reset, timed out).
  virtual void command(const std::string& plugin, CommandPath path, double seconds, bool failed) {
    (void)plugin;
    (void)path;
    (void)seconds;
    (void)failed;
  }
};

} // namespace wdh
