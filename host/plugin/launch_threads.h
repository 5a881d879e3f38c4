// Plugins' launch() calls on threads the host owns: each with a call context (a deadline the
// plugin is told, and a cancel flag), waited for at most a bound, cancelled when the host gives
// up or stops, and cleaned up when a launch the host gave up on returns at last. Nothing here
// ever waits for a plugin without a bound, so a hung launch cannot hang host exit (review T3).
#pragma once

#include "core/status.h"
#include "plugin/loaded_plugin.h"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace wdh {

// What a launch produced.
struct LaunchOutcome {
  Status status;                    // Ok, or why no session
  wdhost_session* handle = nullptr; // the plugin's session, when Ok
  std::string reply;                // the launch reply, when Ok
};

// How long a launch may take: the plugin is told `deadline` (through the call context), the
// host waits `wait` (a little longer, the reserve for the plugin's own error to arrive).
struct LaunchBounds {
  std::chrono::milliseconds deadline{0};
  std::chrono::milliseconds wait{0};
  // The bounds for a --launch-timeout of `timeout`: the plugin's deadline is earlier by a
  // reserve of a quarter of it, at most 2 s.
  static LaunchBounds forTimeout(std::chrono::milliseconds timeout);
};

// The launch threads of one host. Thread-safe.
class LaunchThreads {
public:
  // Runs after a launch the host gave up on returned, on its thread, unless stop() came first:
  // frees what the host gave session `id` (its processes and temp dirs).
  using Cleanup = std::function<void(const std::string& id)>;

  explicit LaunchThreads(Cleanup cleanup);
  // stop() with a short bound; what still runs then keeps only shared state alive.
  ~LaunchThreads();
  LaunchThreads(const LaunchThreads&) = delete;
  LaunchThreads& operator=(const LaunchThreads&) = delete;

  // Runs `plugin`'s launch for `id` on a thread of its own and waits until it returns,
  // bounds.wait passes, or stop() is called. On time: its outcome. Otherwise SessionNotCreated
  // (`timedOut` says whether the wait ran out rather than the host stopping), the call is
  // cancelled, and when it returns its session is torn down and `cleanup(id)` runs.
  LaunchOutcome launch(const std::shared_ptr<LoadedPlugin>& plugin, const std::string& id,
                       const std::string& capabilities, LaunchBounds bounds,
                       bool* timedOut = nullptr);

  // Runs `task` on a thread of its own, counted as running until it returns (a launch started
  // ahead, which calls launch() itself); false, not run, once stopped.
  bool run(std::function<void()> task);

  // Refuses new work, cancels every launch under way and waits at most `bound` for every
  // thread to return; returns how many still run (0 when all returned). Idempotent.
  std::size_t stop(std::chrono::milliseconds bound);

  // Threads still running.
  std::size_t running() const;

private:
  struct Call;
  struct State;
  std::shared_ptr<State> state_;
};

} // namespace wdh
