// ProcessSupervisor's watcher thread: captures output, reaps guards, reports exits.
#include "core/log.h"
#include "process/guard_tree.h"
#include "process/process_record.h"
#include "process/process_supervisor.h"
#include "process/spawn_support.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <exception>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace wdh {
namespace {

constexpr std::string_view kLog = "process";

// The state a wait status describes.
ProcessState stateFromWaitStatus(int status) {
  ProcessState state;
  if (WIFSIGNALED(status)) {
    state.kind = ProcessState::Signaled;
    state.detail = WTERMSIG(status);
  } else {
    state.kind = ProcessState::Exited;
    state.detail = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  return state;
}

} // namespace

void ProcessSupervisor::wake() noexcept {
  uint64_t one = 1;
  if (wakeFd_ >= 0 && ::write(wakeFd_, &one, sizeof one) < 0 && errno != EAGAIN) {
    log(LogLevel::Warn, kLog, "cannot wake the supervisor thread");
  }
}

void ProcessSupervisor::waitEnded(std::unique_lock<std::mutex>& lock,
                                  const std::vector<ProcessPtr>& processes,
                                  std::chrono::steady_clock::time_point deadline) {
  auto allEnded = [&] {
    return std::all_of(processes.begin(), processes.end(),
                       [](const ProcessPtr& p) { return p->ended; });
  };
  if (std::this_thread::get_id() != thread_.get_id()) {
    changed_.wait_until(lock, deadline, allEnded);
    return;
  }
  // Called from an exit listener: the watcher cannot wait for itself, so it reaps here.
  while (!allEnded() && std::chrono::steady_clock::now() < deadline) {
    lock.unlock();
    for (const ProcessPtr& process : processes) {
      readOutput(*process);
      tryReap(process);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    lock.lock();
  }
}

void ProcessSupervisor::threadMain() noexcept {
  std::vector<pollfd> fds;
  std::vector<ProcessPtr> watched;
  // Runs until the destructor sets stopping_ and wakes it.
  for (;;) {
    try {
      bool tick = false; // some process has no pidfd: check it with waitpid periodically
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stopping_) {
          return;
        }
        watched = live_;
      }
      fds.assign(1, pollfd{wakeFd_, POLLIN, 0});
      for (const ProcessPtr& process : watched) {
        // poll() ignores negative fds, which keeps two slots per process.
        fds.push_back(pollfd{process->outFd, POLLIN, 0});
        fds.push_back(pollfd{process->pidFd, POLLIN, 0});
        tick = tick || process->pidFd < 0;
      }
      int ready = ::poll(fds.data(), fds.size(), tick ? 50 : -1);
      if (ready < 0) {
        if (errno != EINTR) {
          log(LogLevel::Error, kLog, std::string("poll failed: ") + std::strerror(errno));
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        continue;
      }
      if (fds[0].revents != 0) {
        uint64_t count = 0;
        if (::read(wakeFd_, &count, sizeof count) < 0 && errno != EAGAIN) {
          log(LogLevel::Warn, kLog, "cannot read the wake-up eventfd");
        }
      }
      for (size_t i = 0; i < watched.size(); ++i) {
        if (fds[1 + 2 * i].revents != 0) {
          readOutput(*watched[i]);
        }
        if (fds[2 + 2 * i].revents != 0 || watched[i]->pidFd < 0) {
          tryReap(watched[i]);
        }
      }
    } catch (const std::exception& e) {
      log(LogLevel::Error, kLog, std::string("supervisor thread: ") + e.what());
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
}

bool ProcessSupervisor::readOutput(Process& process) {
  if (process.outFd < 0) {
    return false;
  }
  std::string chunk;
  char buffer[16384];
  bool closed = false;
  bool more = true; // stopped at the per-call limit with data possibly left
  // At most 4 MiB per call, so that one chatty process cannot starve the others.
  for (int i = 0; i < 256; ++i) {
    ssize_t n = ::read(process.outFd, buffer, sizeof buffer);
    if (n > 0) {
      chunk.append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) {
      continue;
    }
    closed = n == 0 || errno != EAGAIN;
    more = false;
    break;
  }
  if (closed) {
    ::close(process.outFd);
    process.outFd = -1;
  }
  if (!chunk.empty()) {
    std::string owner;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      process.output.append(chunk);
      changed_.notify_all();
      owner = process.owner;
    }
    std::lock_guard<std::mutex> listening(outputListenerMutex_);
    if (outputListener_ && !owner.empty())
      outputListener_(owner, chunk);
  }
  return more && !closed;
}

bool ProcessSupervisor::collectOrphans() {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
    return false;
  collectsOrphans_ = true;
  return true;
}

void ProcessSupervisor::endOrphans() {
  const pid_t self = ::getpid();
  for (int round = 0; round < 100; ++round) {
    std::unique_lock<std::mutex> spawning(spawnMutex_);
    std::vector<pid_t> guards;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (const ProcessPtr& process : live_)
        guards.push_back(process->pid);
    }
    std::vector<pid_t> orphans;
    for (const ProcInfo& child : findDescendants(self))
      if (child.ppid == self && std::find(guards.begin(), guards.end(), child.pid) == guards.end())
        orphans.push_back(child.pid);
    if (orphans.empty())
      return;
    for (pid_t orphan : orphans) {
      // Its descendants first (they come to this process as their parents die), then itself.
      for (const ProcInfo& below : findDescendants(orphan))
        ::kill(below.pid, SIGKILL);
      ::kill(orphan, SIGKILL);
    }
    spawning.unlock();
    log(LogLevel::Warn, kLog,
        "ended " + std::to_string(orphans.size()) + " process(es) left by a killed guard");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    for (pid_t orphan : orphans)
      ::waitpid(orphan, nullptr, WNOHANG);
  }
}

void ProcessSupervisor::tryReap(const ProcessPtr& process) {
  ProcessState state;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (process->reaped) {
      return;
    }
    int status = 0;
    pid_t reaped = ::waitpid(process->pid, &status, WNOHANG);
    if (reaped == process->pid) {
      state = stateFromWaitStatus(status);
    } else if (reaped < 0 && errno == ECHILD) {
      // Someone else in the host reaped it: the real status is lost.
      log(LogLevel::Warn, kLog,
          "guard pid " + std::to_string(process->pid) +
              " was reaped elsewhere; its exit status is unknown");
      state.kind = ProcessState::Exited;
      state.detail = -1;
    } else {
      return;
    }
    process->reaped = true;
  }
  // Everything written before the exit is in the pipe now. Descendants that escaped the
  // guard (only if it was SIGKILLed) may keep the pipe open: take what is there, then close.
  for (int i = 0; i < 16 && readOutput(*process); ++i) {
  }
  // Closed before `ended` is published: terminate() promises no fd outlives the process.
  for (int* fd : {&process->outFd, &process->pidFd}) {
    if (*fd >= 0) {
      ::close(*fd);
    }
    *fd = -1;
  }
  ExitListener listener;
  std::string owner;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    owner = process->owner;
    process->state = state;
    process->ended = true;
    live_.erase(std::remove(live_.begin(), live_.end(), process), live_.end());
    if (!process->terminating) {
      listener = listener_;
    }
    changed_.notify_all();
  }
  log(LogLevel::Debug, kLog,
      "process " + std::to_string(process->id) + " ended: " + state.describe());
  // A guard killed outright could not end its tree: those processes are this one's now.
  if (state.kind == ProcessState::Signaled && collectsOrphans_.load())
    endOrphans();
  if (listener) {
    try {
      listener(process->id, owner, state);
    } catch (const std::exception& e) {
      log(LogLevel::Error, kLog, std::string("exit listener threw: ") + e.what());
    } catch (...) {
      log(LogLevel::Error, kLog, "exit listener threw");
    }
  }
}

} // namespace wdh
