// The background sweeper of sessions: closes those idle past their timeout and those whose
// driver or browser process ended, and finishes launches that outlived --launch-timeout.
// Teardowns run on a small pool of their own that the sweep never waits on, so one slow
// teardown (a driver's DELETE, its grace, the kill) delays neither the sweep nor another's.
#pragma once

#include "core/job_executor.h"
#include "session/session_map.h"

#include <chrono>
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

// Runs one thread that sweeps four times a second, on a fixed cadence whatever the teardowns
// do; stop() (or the destructor) joins it.
class SessionJanitor {
public:
  // How a taken session is closed (the same path as Delete Session).
  using CloseFn = std::function<void(const std::shared_ptr<Session>&)>;

  SessionJanitor(SessionMap& sessions, std::shared_ptr<CrashInbox> crashes, CloseFn close);
  ~SessionJanitor();
  SessionJanitor(const SessionJanitor&) = delete;
  SessionJanitor& operator=(const SessionJanitor&) = delete;

  // Starts the sweeping thread.
  void start();
  // Runs `task` at the end of every sweep (set before start()).
  void everySweep(std::function<void()> task) { everySweep_ = std::move(task); }
  // Closes `session` (already taken from the map) on the teardown pool, at once, so that the
  // caller does not wait for its teardown; then calls `done` (may be empty). After stop() it
  // still runs, on the pool.
  void closeSoon(std::shared_ptr<Session> session, std::function<void()> done = {});
  // Runs one sweep now (tests): takes the crashed and the idle sessions out of the map and hands
  // them to the teardown pool without waiting; returns how many it took.
  std::size_t sweep();
  // Teardowns begun and not yet finished.
  std::size_t teardownsUnderWay() const;
  // Waits at most `bound` until no teardown is under way; returns how many still are.
  std::size_t awaitTeardowns(std::chrono::milliseconds bound);
  // Stops sweeping and waits (at most `teardownWait`) for the teardowns under way. (Launches
  // that outlive their timeout are the plugin layer's: plugin/launch_threads.h.)
  void stop(std::chrono::milliseconds teardownWait = std::chrono::seconds(60));

private:
  void run();
  void closeOnPool(std::shared_ptr<Session> session, std::function<void()> done);

  SessionMap& sessions_;
  std::shared_ptr<CrashInbox> crashes_;
  CloseFn close_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;     // stop() began
  std::condition_variable tornDown_; // a teardown finished
  bool stopping_ = false;
  std::size_t teardowns_ = 0; // begun and not yet finished
  std::thread thread_;
  std::function<void()> everySweep_;
  JobExecutor pool_; // last: destroyed (joined) first, while what its teardowns use lives
};

} // namespace wdh
