// A child process of the benchmark (wdhost, chromedriver): started in its own process group,
// its output in a log file, stopped (bounded) when destroyed.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

// One started program; SIGTERM, then SIGKILL to its whole process group, when destroyed.
class ChildProcess {
public:
  // Starts argv (argv[0] a path) with stdout and stderr appended to `logPath`; throws on failure.
  ChildProcess(const std::vector<std::string>& argv, std::string logPath);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Waits (bounded) for a log line containing `marker` and returns it; throws on timeout or exit.
  std::string waitForLine(std::string_view marker, std::chrono::milliseconds timeout) const;
  // Sends SIGTERM (to the group with `wholeGroup`), waits up to `grace`, then SIGKILLs the group.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(10), bool wholeGroup = true);
  // Its pid (also its process group id).
  int pid() const noexcept { return pid_; }
  // Whether it is still running.
  bool running();

private:
  int pid_ = -1;
  bool reaped_ = false;
  std::string logPath_;
};

// On SIGINT/SIGTERM/SIGHUP: SIGKILL every child's process group still running, then exit 130.
void killChildrenOnSignal();

// Runs argv to completion (bounded by `timeout`) and returns what it printed on stdout/stderr.
std::string runAndCapture(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

} // namespace bench
