// Starts child processes under wdhost-guard, captures their output and ends their trees.
#pragma once

#include "core/status.h"
#include "process/environment_allowlist.h"
#include "process/launch_priority.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <thread>
#include <vector>

namespace wdh {

// How a supervised process ended, or that it still runs.
struct ProcessState {
  // Running; Exited (detail = exit code); Signaled (detail = signal number).
  enum Kind { Running, Exited, Signaled } kind = Running;
  // The exit code or the signal number; 0 while running.
  int detail = 0;
  // "exit code 1" | "signal 9" | "running".
  std::string describe() const;
};

// How to start a process beyond its argv, environment overrides and owner.
struct SpawnOptions {
  std::string cwd;        // its working directory (absolute, existing); "" = the host's
  bool inheritEnv = true; // the host's allowed environment under the overrides; false: none
  int stdinFd = -1;       // its stdin (a pipe's read end the caller keeps and closes; above 2);
                          // -1: /dev/null
  // A descriptor the program inherits as kPassedFd (a private channel's end), or -1. Borrowed:
  // the caller closes its copy after spawn() returns; the guard keeps none.
  int passFd = -1;
};

// The descriptor number under which a program receives SpawnOptions::passFd.
constexpr int kPassedFd = 4;

// Owns every child process of the host. Each runs under wdhost-guard (which kills the whole
// tree, daemons included, when the process ends, is terminated, or the host dies) in its own
// process group, with stdout+stderr captured. One thread watches all of them. Thread-safe.
class ProcessSupervisor {
public:
  // Handle of a process: never 0, never reused within one supervisor.
  using Id = uint64_t;
  // What waitOutput() saw.
  enum class WaitResult { Found, Ended, Timeout, Unknown };
  // Receives (id, owner, final state) of a process that ended by itself.
  using ExitListener = std::function<void(Id, const std::string&, const ProcessState&)>;
  // Receives (owner, bytes) of what a process wrote, as it is read.
  using OutputListener = std::function<void(const std::string&, std::string_view)>;

  // guardPath: absolute path of wdhost-guard; `environment`: the host's variables children
  // inherit. Failures surface from spawn().
  explicit ProcessSupervisor(std::string guardPath,
                             EnvironmentAllowlist environment = EnvironmentAllowlist());
  // Terminates every remaining process (grace 2 s, in parallel) and joins the thread.
  ~ProcessSupervisor();
  // Not copyable.
  ProcessSupervisor(const ProcessSupervisor&) = delete;
  ProcessSupervisor& operator=(const ProcessSupervisor&) = delete;

  // Starts argv (argv[0] an absolute path to an executable file) under the guard with the
  // host's allowed environment overridden/extended by `env` ("NAME=value"), stdin /dev/null and
  // stdout+stderr captured. owner: a host session id or "". SessionNotCreated if it cannot.
  Status spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
               const std::string& owner, Id* out);
  // The same, started as `options` say (a working directory, no inherited environment);
  // InvalidArgument for a cwd that is not an absolute path to a directory.
  Status spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
               const std::string& owner, const SpawnOptions& options, Id* out);
  // Blocks until the captured output (all of it kept so far) contains needle, the process
  // ends, or timeout passes. *output (if not null) receives the captured tail.
  WaitResult waitOutput(Id id, std::string_view needle, std::chrono::milliseconds timeout,
                        std::string* output);
  // Blocks until the process ended (Ended, *state its final state) or timeout passes
  // (Timeout); Unknown for an unknown id. Never longer than timeout.
  WaitResult waitExit(Id id, std::chrono::milliseconds timeout, ProcessState* state);
  // The current state; false for an unknown id.
  bool poll(Id id, ProcessState* out) const;
  // The captured output tail (last 64 KiB of stdout+stderr interleaved); "" for unknown id.
  std::string outputTail(Id id) const;
  // SIGTERM the guard; after `grace` SIGUSR1 (the guard SIGKILLs the tree); after 2 s more
  // SIGKILL the guard and its group. Blocks until reaped, then forgets the id. No-op for
  // unknown or forgotten ids. The exit listener is not called for this process.
  void terminate(Id id, std::chrono::milliseconds grace);
  // Makes `owner` ("" = none) the owner of a tracked process; false for an unknown id. Its tree
  // takes the priority the new owner calls for (see runInBackground).
  bool setOwner(Id id, const std::string& owner);
  // Makes `to` the owner of every process `from` owns; returns how many. Their trees take the
  // priority `to` calls for: a browser started ahead runs at full speed once handed over.
  std::size_t reassignOwner(const std::string& from, const std::string& to);
  // From now on, the trees of processes whose owner begins with `ownerPrefix` (the placeholder
  // ids of browsers started ahead, "warm-") run at idle CPU and I/O priority, and at the host's
  // own priority again once their owner no longer does; "" turns it off. The CPU part only
  // where the host may take a thread out of SCHED_IDLE again (root, CAP_SYS_NICE or
  // RLIMIT_NICE); the I/O part always. Returns whether the CPU part is on.
  bool runInBackground(const std::string& ownerPrefix);
  // Gives every tree now in the background the normal priority at once, for good (a New Session
  // waits for the browser it is starting); returns how many.
  std::size_t hurryBackground();
  // The pids (of their guards) of the running processes owned by `owner`.
  std::vector<pid_t> pidsOwnedBy(const std::string& owner) const;
  // Terminates every process whose owner is `owner`, in parallel; returns how many.
  size_t terminateOwnedBy(const std::string& owner, std::chrono::milliseconds grace);
  // Sets the listener called (on the supervisor thread, no lock held) when a process ends
  // by itself, i.e. not through terminate(). Set it before spawning. It may call any method
  // (terminate included) but should return promptly: it delays every other process's events.
  void setExitListener(ExitListener listener);
  // Sets the listener called (on the supervisor thread) with each piece of output read from a
  // process owned by someone: it must be quick and must not call into the supervisor. Once this
  // returns, the previous listener is not running and is never called again.
  void setOutputListener(OutputListener listener);
  // Makes the calling process a child subreaper, so that the tree of a guard killed outright
  // (SIGKILL gives it no chance to end its tree) falls to this process instead of to init; the
  // supervisor then ends those orphans and reaps them. Only for a process whose children are
  // all started through this supervisor (the host, not a test binary). False if refused.
  bool collectOrphans();
  // Number of processes currently tracked (running, or ended but not yet terminated).
  size_t size() const;

private:
  struct Process;
  using ProcessPtr = std::shared_ptr<Process>;

  // The watcher thread: output pipes, pidfds and the wake-up eventfd in one poll() loop.
  void threadMain() noexcept;
  // Moves readable output into the process's tail (thread only); true if more may be left.
  bool readOutput(Process& process);
  // Reaps the process if it exited; then drains, closes, publishes, notifies (thread only).
  void tryReap(const ProcessPtr& process);
  // Waits (lock held on entry and exit) until all of `processes` ended or the deadline passed;
  // on the watcher thread itself (an exit listener terminating something) it reaps them.
  void waitEnded(std::unique_lock<std::mutex>& lock, const std::vector<ProcessPtr>& processes,
                 std::chrono::steady_clock::time_point deadline);
  // Sends signals in stages until every one of `processes` ended; then forgets them.
  void terminateAll(const std::vector<ProcessPtr>& processes, std::chrono::milliseconds grace);
  // Ends and reaps this process's children that are not live guards: the orphaned tree of a
  // guard that was killed (watcher thread; bounded to about 2 s).
  void endOrphans();
  // Wakes the watcher thread.
  void wake() noexcept;
  // Gives each of `processes` the priority its owner calls for now, where it has another (each
  // owner change is followed by this, so the last owner's priority is the one that stays).
  void settlePriority(const std::vector<ProcessPtr>& processes);

  std::string guardPath_;
  EnvironmentAllowlist environment_; // what children inherit of the host's environment
  Status initStatus_;
  int lifelineRead_ = -1;  // passed to every guard as fd 3
  int lifelineWrite_ = -1; // held for the host's whole life; its closing tells guards to kill
  int wakeFd_ = -1;
  mutable std::mutex mutex_;
  std::condition_variable changed_; // output appended or a process ended
  std::map<Id, ProcessPtr> processes_;
  std::vector<ProcessPtr> live_; // not yet reaped and drained; watched by the thread
  ExitListener listener_;
  std::mutex outputListenerMutex_; // held while the output listener runs
  OutputListener outputListener_;
  Id nextId_ = 1;
  bool stopping_ = false;
  std::atomic<bool> collectsOrphans_{false}; // collectOrphans() succeeded
  std::mutex spawnMutex_; // held from a guard's spawn to its registration, and by endOrphans()
  std::string backgroundPrefix_; // owners whose trees run at idle priority ("" = none; mutex_)
  TreePriority idlePriority_;    // what background trees get (mutex_)
  std::thread thread_;
};

} // namespace wdh
