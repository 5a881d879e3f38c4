// Every session command but New and Delete Session: relayed to the session's driver (begun here,
// driven by the server's event loop) or run by its in-process plugin; the answer that says the
// browser is gone ends the session at once; the managed files the host serves itself.
#pragma once

#include "webdriver/session_lifecycle.h"

#include <chrono>
#include <string>
#include <string_view>

namespace wdh {

// Thread-safe.
class SessionCommands {
public:
  // `sessions` must outlive it.
  explicit SessionCommands(SessionLifecycle& sessions) : sessions_(sessions) {}

  // Any session command, relayed as is; `suffix` follows /session/{id}.
  Status execute(std::string_view id, std::string_view method, std::string_view suffix,
                 std::string_view body, RelayResponse* out);
  // Begins command `method suffix` (request `body`) on session `id` for the caller to relay over
  // HTTP itself (without a thread waiting on the driver). False, with nothing begun, when the
  // session is unknown, closed or served in-process: execute() then answers the command.
  bool beginRelay(std::string_view id, std::string_view method, std::string_view suffix,
                  std::string_view body, RelayedCommand* out);
  // Ends a command begun with beginRelay(); `status` and `out` are what its upstream gave.
  // Returns (and leaves in `out`) what execute() would have for the same answer.
  Status finishRelay(RelayedCommand& command, std::string_view body, Status status,
                     RelayResponse* out);
  // Serves a session's managed files (Grid's /se/file upload and /se/files downloads) in the
  // host, for every backend; *response is the JSON reply on success.
  Status sessionFiles(std::string_view id, std::string_view method, std::string_view suffix,
                      std::string_view body, std::string* response);
  // Grid's session event (POST /se/event, {"eventType": "test:failed", "payload": {...}}),
  // answered by the host for every backend and never forwarded: the session's recording learns
  // how the session went. *response is {"value": {"success": true, "eventType": ...}}.
  Status sessionEvent(std::string_view id, std::string_view body, std::string* response);
  // Before Switch To Window (POST /window, `body` {"handle": ...}) on session `id` is relayed:
  // the session's recording follows the window asked for. Cheap when nothing records.
  void noteWindowSwitch(std::string_view id, std::string_view body);
  // True when `body` of an Execute Script (`suffix` /execute/sync or /execute/async) on live
  // session `id` is a cloud vendor's status script ("sauce:job-result=failed", ...): the host
  // answered it (*response {"value": null}), as a session event, and it is not forwarded.
  bool vendorScript(std::string_view id, std::string_view suffix, std::string_view body,
                    std::string* response);

private:
  Status afterCommand(std::string_view id, std::string_view method, std::string_view suffix,
                      std::chrono::steady_clock::time_point started, Status status,
                      RelayResponse* out);
  // Writes the command to its session's log, when the host keeps one: method, path, HTTP status,
  // the W3C error and its message, how long it took.
  void logCommand(std::string_view id, std::string_view method, std::string_view suffix,
                  std::chrono::steady_clock::time_point started, const Status& status,
                  const RelayResponse& out) const;
  // Tells the watchers of a command that took since `started`.
  void countCommand(const std::string& plugin, CommandPath path,
                    std::chrono::steady_clock::time_point started, bool failed) const;

  SessionLifecycle& sessions_;
};

} // namespace wdh
