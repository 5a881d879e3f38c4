// The background sweeper of sessions: closes those idle past their timeout and those whose
// driver or browser process ended, and finishes launches that outlived --launch-timeout.
#pragma once

#include "session/session_map.h"

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace wdh {

// The UTC time now, as "2026-11-30T07:00:00Z", for the reasons sessions end with.
std::string wallClockNow();

// Reports of ended processes, safe to post to from any thread and after the janitor is gone.
class CrashInbox {
public:
  // Records that a process of session `owner` ended, described by `how` ("signal 9").
  void post(const std::string& owner, const std::string& how);
  // Takes every report posted so far.
  std::vector<std::pair<std::string, std::string>> takeAll();

private:
  std::mutex mutex_;
  std::vector<std::pair<std::string, std::string>> reports_;
};

// Runs one thread that sweeps about four times a second; stop() (or the destructor) joins it.
class SessionJanitor {
public:
  // How a taken session is closed (the same path as Delete Session).
  using CloseFn = std::function<void(const std::shared_ptr<Session>&)>;
  // A launch that went on past its timeout: returns true once it has finished and cleaned up.
  using Straggler = std::function<bool()>;

  SessionJanitor(SessionMap& sessions, std::shared_ptr<CrashInbox> crashes, CloseFn close);
  ~SessionJanitor();
  SessionJanitor(const SessionJanitor&) = delete;
  SessionJanitor& operator=(const SessionJanitor&) = delete;

  // Starts the sweeping thread.
  void start();
  // Hands over a launch still running after its timeout; polled until it says it is done.
  void adopt(Straggler straggler);
  // Runs `task` at the end of every sweep (set before start()).
  void everySweep(std::function<void()> task) { everySweep_ = std::move(task); }
  // Closes `session` (already taken from the map) on the janitor's thread, soon, so that the
  // caller does not wait for its teardown; then calls `done` (may be empty). stop() closes
  // whatever is still waiting.
  void closeSoon(std::shared_ptr<Session> session, std::function<void()> done = {});
  // Runs one sweep now (tests); returns how many sessions it closed.
  std::size_t sweep();
  // Stops sweeping, then waits (bounded by the stragglers themselves) for adopted launches.
  void stop();

private:
  void run();
  std::size_t closeAll(std::vector<std::shared_ptr<Session>> sessions);
  void closeQueued();

  SessionMap& sessions_;
  std::shared_ptr<CrashInbox> crashes_;
  CloseFn close_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::vector<Straggler> stragglers_;
  // From closeSoon(): each session with what to call once it is closed.
  std::vector<std::pair<std::shared_ptr<Session>, std::function<void()>>> toClose_;
  std::thread thread_;
  std::function<void()> everySweep_;
};

} // namespace wdh
