// The WebDriver session service: the parts that together serve New Session (with limits, a
// queue and a launch timeout), Delete Session, Status, and every other session command relayed
// to the session's backend, while idle and crashed sessions are closed in the background. Each
// caller uses the part it needs.
#pragma once

#include "webdriver/host_status.h"
#include "webdriver/session_commands.h"
#include "webdriver/session_lifecycle.h"
#include "webdriver/session_starter.h"

#include <chrono>
#include <string>

namespace wdh {

// Owns the parts; thread-safe.
class SessionService {
public:
  // Borrowed references must outlive the service.
  SessionService(const PluginRegistry& registry, SessionMap& sessions, HostServices services,
                 SessionSettings settings);
  // closeAll()
  ~SessionService();
  SessionService(const SessionService&) = delete;
  SessionService& operator=(const SessionService&) = delete;

  // Starts the background sweeper (idle timeouts, crashed drivers).
  void start() { lifecycle_.start(); }

  // The live sessions, who watches them, and how they end (Delete Session, drain).
  SessionLifecycle& lifecycle() noexcept { return lifecycle_; }
  const SessionLifecycle& lifecycle() const noexcept { return lifecycle_; }
  // New Session.
  SessionStarter& starter() noexcept { return starter_; }
  // Every other session command.
  SessionCommands& commands() noexcept { return commands_; }
  // /status and the snapshot the operator side renders.
  const HostStatus& status() const noexcept { return status_; }

  // Stops taking sessions, cancels the launches under way (waiting for them at most
  // kLaunchStopBound; see starter().launchesStillRunning()), then closes every session in
  // parallel, each ended for `reason` (counted as `cause`); returns when all are gone.
  void closeAll(const std::string& reason = "the host shut down",
                EndCause cause = EndCause::Shutdown);
  // How long closeAll() waits for launches under way after cancelling them.
  static constexpr std::chrono::seconds kLaunchStopBound{10};

private:
  SessionLifecycle lifecycle_;
  SessionCommands commands_;
  HostStatus status_;
  SessionStarter starter_; // last: its launches stop before the rest goes
};

} // namespace wdh
