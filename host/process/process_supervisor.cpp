// ProcessSupervisor: spawning, waiting, terminating (the watcher thread is in process_watcher.cpp).
#include "process/process_supervisor.h"

#include "core/log.h"
#include "process/process_record.h"
#include "process/spawn_support.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <fcntl.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace wdh {
namespace {

constexpr std::string_view kLog = "process";
constexpr auto kKillWait = std::chrono::seconds(2);     // after SIGUSR1, before SIGKILL
constexpr auto kReapWait = std::chrono::seconds(10);    // after SIGKILL, before giving up
constexpr auto kMaxWait = std::chrono::hours(24 * 365); // caps timeouts against overflow
constexpr int kLifelineFd = 3;

// pidfd_open(2), or -1 when the kernel lacks it.
int openPidFd(pid_t pid) noexcept {
#ifdef SYS_pidfd_open
  long fd = ::syscall(SYS_pidfd_open, pid, 0);
  return fd < 0 ? -1 : static_cast<int>(fd);
#else
  (void)pid;
  return -1;
#endif
}

// now + timeout, with timeout clamped to [0, kMaxWait].
std::chrono::steady_clock::time_point deadlineAfter(std::chrono::milliseconds timeout) {
  auto span =
      std::clamp<std::chrono::milliseconds>(timeout, std::chrono::milliseconds(0), kMaxWait);
  return std::chrono::steady_clock::now() + span;
}

} // namespace

std::string ProcessState::describe() const {
  switch (kind) {
  case Exited:
    return "exit code " + std::to_string(detail);
  case Signaled:
    return "signal " + std::to_string(detail);
  case Running:
    break;
  }
  return "running";
}

ProcessSupervisor::ProcessSupervisor(std::string guardPath, EnvironmentAllowlist environment)
    : guardPath_(std::move(guardPath)), environment_(std::move(environment)) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    initStatus_ = Status(ErrorCode::UnknownError,
                         std::string("cannot create the lifeline pipe: ") + std::strerror(errno));
    return;
  }
  // Above fd 3 so that dup2 onto the guard's fd 3 always makes a fresh, inheritable copy.
  lifelineRead_ = moveFdAtLeast(fds[0], kLifelineFd + 1);
  lifelineWrite_ = fds[1];
  wakeFd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (lifelineRead_ < 0 || wakeFd_ < 0) {
    initStatus_ =
        Status(ErrorCode::UnknownError,
               std::string("cannot set up the process supervisor: ") + std::strerror(errno));
    return;
  }
  try {
    thread_ = std::thread([this] { threadMain(); });
  } catch (const std::exception& e) {
    initStatus_ = Status(ErrorCode::UnknownError,
                         std::string("cannot start the process supervisor thread: ") + e.what());
  }
}

ProcessSupervisor::~ProcessSupervisor() {
  try {
    std::vector<ProcessPtr> all;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (const auto& entry : processes_) {
        all.push_back(entry.second);
      }
    }
    terminateAll(all, kKillWait);
  } catch (...) {
    log(LogLevel::Error, kLog, "failed to terminate processes at shutdown");
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake();
  if (thread_.joinable()) {
    thread_.join();
  }
  // Whatever the thread did not finish (it logged why).
  for (const ProcessPtr& process : live_) {
    int status = 0;
    if (!process->reaped) {
      ::waitpid(process->pid, &status, WNOHANG);
    }
    UniqueFd closeOut(process->outFd);
    UniqueFd closePid(process->pidFd);
  }
  UniqueFd closeRead(lifelineRead_);
  UniqueFd closeWrite(lifelineWrite_);
  UniqueFd closeWake(wakeFd_);
}

Status ProcessSupervisor::spawn(const std::vector<std::string>& argv,
                                const std::vector<std::string>& env, const std::string& owner,
                                Id* out) {
  return spawn(argv, env, owner, SpawnOptions(), out);
}

Status ProcessSupervisor::spawn(const std::vector<std::string>& argv,
                                const std::vector<std::string>& env, const std::string& owner,
                                const SpawnOptions& options, Id* out) {
  try {
    if (!initStatus_.isOk()) {
      return initStatus_;
    }
    if (argv.empty()) {
      return Status(ErrorCode::InvalidArgument, "cannot start a process: argv is empty");
    }
    if (Status status = checkExecutable(argv[0], "program"); !status.isOk()) {
      return status.withContext("cannot start process");
    }
    if (Status status = checkExecutable(guardPath_, "process guard"); !status.isOk()) {
      return status.withContext("cannot start process");
    }
    if (!options.cwd.empty()) {
      struct stat info {};
      if (options.cwd.front() != '/' || ::stat(options.cwd.c_str(), &info) != 0 ||
          !S_ISDIR(info.st_mode)) {
        return Status(ErrorCode::InvalidArgument, "cannot start " + argv[0] + " in " + options.cwd +
                                                      ": not an absolute path to a directory");
      }
    }
    std::vector<std::string> environment;
    if (Status status = mergeEnvironment(environment_, env, &environment, options.inheritEnv);
        !status.isOk()) {
      return status;
    }
    std::vector<std::string> args = {guardPath_, "--lifeline-fd", std::to_string(kLifelineFd)};
    if (!options.cwd.empty()) {
      args.insert(args.end(), {"--cwd", options.cwd});
    }
    // Above every number the spawn duplicates onto, so that none of them overwrites it first.
    UniqueFd passed;
    if (options.passFd >= 0) {
      passed = UniqueFd(::fcntl(options.passFd, F_DUPFD_CLOEXEC, kPassedFd + 1));
      if (passed.get() < 0) {
        return Status(ErrorCode::SessionNotCreated,
                      std::string("cannot pass a descriptor: ") + std::strerror(errno));
      }
      args.insert(args.end(), {"--pass-fd", std::to_string(kPassedFd)});
    }
    args.push_back("--");
    args.insert(args.end(), argv.begin(), argv.end());
    pid_t pid = -1;
    UniqueFd output;
    // Until it is registered, a new guard would look like an orphan to endOrphans().
    std::lock_guard<std::mutex> spawning(spawnMutex_);
    Status started =
        spawnInGroup(guardPath_, std::move(args), std::move(environment), lifelineRead_,
                     kLifelineFd, &pid, &output, options.stdinFd, passed.get(), kPassedFd);
    if (!started.isOk()) {
      return started.withContext("cannot start process guard for '" + argv[0] + "'");
    }

    auto process = std::make_shared<Process>();
    process->owner = owner;
    process->pid = pid;
    process->outFd = output.release();
    process->pidFd = openPidFd(pid);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      process->id = nextId_++;
      processes_.emplace(process->id, process);
      live_.push_back(process);
    }
    wake();
    settlePriority({process});
    log(LogLevel::Debug, kLog,
        "started " + argv[0] + " (id " + std::to_string(process->id) + ", guard pid " +
            std::to_string(pid) + (owner.empty() ? "" : ", owner " + owner) + ")");
    if (out != nullptr) {
      *out = process->id;
    }
    return Status::ok();
  } catch (const std::exception& e) {
    return Status(ErrorCode::UnknownError, std::string("cannot start process: ") + e.what());
  }
}

ProcessSupervisor::WaitResult ProcessSupervisor::waitExit(Id id, std::chrono::milliseconds timeout,
                                                          ProcessState* state) {
  try {
    std::unique_lock<std::mutex> lock(mutex_);
    auto found = processes_.find(id);
    if (found == processes_.end()) {
      return WaitResult::Unknown;
    }
    ProcessPtr process = found->second;
    auto deadline = deadlineAfter(timeout);
    // Bounded by the deadline.
    while (!process->ended) {
      if (changed_.wait_until(lock, deadline) == std::cv_status::timeout && !process->ended) {
        return WaitResult::Timeout;
      }
    }
    if (state != nullptr) {
      *state = process->state;
    }
    return WaitResult::Ended;
  } catch (const std::exception& e) {
    log(LogLevel::Error, kLog, std::string("waitExit failed: ") + e.what());
    return WaitResult::Unknown;
  }
}

ProcessSupervisor::WaitResult ProcessSupervisor::waitOutput(Id id, std::string_view needle,
                                                            std::chrono::milliseconds timeout,
                                                            std::string* output) {
  try {
    std::unique_lock<std::mutex> lock(mutex_);
    auto found = processes_.find(id);
    if (found == processes_.end()) {
      if (output != nullptr) {
        output->clear();
      }
      return WaitResult::Unknown;
    }
    ProcessPtr process = found->second;
    auto deadline = deadlineAfter(timeout);
    WaitResult result = WaitResult::Timeout;
    // Bounded by the deadline.
    for (;;) {
      if (process->output.contains(needle)) {
        result = WaitResult::Found;
        break;
      }
      if (process->ended) {
        result = WaitResult::Ended;
        break;
      }
      if (changed_.wait_until(lock, deadline) == std::cv_status::timeout) {
        result = process->output.contains(needle) ? WaitResult::Found
                 : process->ended                 ? WaitResult::Ended
                                                  : WaitResult::Timeout;
        break;
      }
    }
    if (output != nullptr) {
      *output = process->output.str();
    }
    return result;
  } catch (const std::exception& e) {
    log(LogLevel::Error, kLog, std::string("waitOutput failed: ") + e.what());
    return WaitResult::Unknown;
  }
}

bool ProcessSupervisor::poll(Id id, ProcessState* out) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = processes_.find(id);
  if (found == processes_.end()) {
    return false;
  }
  if (out != nullptr) {
    *out = found->second->state;
  }
  return true;
}

std::string ProcessSupervisor::outputTail(Id id) const {
  try {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = processes_.find(id);
    return found == processes_.end() ? std::string() : found->second->output.str();
  } catch (const std::exception&) {
    return std::string();
  }
}

void ProcessSupervisor::terminate(Id id, std::chrono::milliseconds grace) {
  try {
    ProcessPtr process;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto found = processes_.find(id);
      if (found == processes_.end()) {
        return;
      }
      process = found->second;
    }
    terminateAll({process}, grace);
  } catch (const std::exception& e) {
    log(LogLevel::Error, kLog, std::string("terminate failed: ") + e.what());
  }
}

size_t ProcessSupervisor::terminateOwnedBy(const std::string& owner,
                                           std::chrono::milliseconds grace) {
  try {
    std::vector<ProcessPtr> owned;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (const auto& entry : processes_) {
        if (entry.second->owner == owner) {
          owned.push_back(entry.second);
        }
      }
    }
    terminateAll(owned, grace);
    return owned.size();
  } catch (const std::exception& e) {
    log(LogLevel::Error, kLog, std::string("terminateOwnedBy failed: ") + e.what());
    return 0;
  }
}

std::vector<pid_t> ProcessSupervisor::pidsOwnedBy(const std::string& owner) const {
  std::vector<pid_t> pids;
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& entry : processes_)
    if (entry.second->owner == owner && entry.second->pid > 0)
      pids.push_back(entry.second->pid);
  return pids;
}

bool ProcessSupervisor::setOwner(Id id, const std::string& owner) {
  ProcessPtr process;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = processes_.find(id);
    if (it == processes_.end())
      return false;
    it->second->owner = owner;
    process = it->second;
  }
  settlePriority({process});
  return true;
}

std::size_t ProcessSupervisor::reassignOwner(const std::string& from, const std::string& to) {
  std::vector<ProcessPtr> moved;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& entry : processes_) {
      if (entry.second->owner == from) {
        entry.second->owner = to;
        moved.push_back(entry.second);
      }
    }
  }
  settlePriority(moved);
  return moved.size();
}

bool ProcessSupervisor::runInBackground(const std::string& ownerPrefix) {
  bool cpu = !ownerPrefix.empty() && canLeaveIdle();
  std::vector<ProcessPtr> all;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    backgroundPrefix_ = ownerPrefix;
    idlePriority_ = TreePriority{cpu, true};
    for (const auto& entry : processes_)
      all.push_back(entry.second);
  }
  settlePriority(all);
  return cpu;
}

std::size_t ProcessSupervisor::hurryBackground() {
  std::vector<ProcessPtr> background;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& entry : processes_)
      if (entry.second->background) {
        entry.second->hurried = true;
        background.push_back(entry.second);
      }
  }
  settlePriority(background);
  return background.size();
}

void ProcessSupervisor::settlePriority(const std::vector<ProcessPtr>& processes) {
  try {
    for (const ProcessPtr& process : processes) {
      // Under the lock: until waitpid succeeds (under it too) the guard's pid is its own.
      std::lock_guard<std::mutex> lock(mutex_);
      bool background = !backgroundPrefix_.empty() && !process->hurried &&
                        process->owner.compare(0, backgroundPrefix_.size(), backgroundPrefix_) == 0;
      if (process->reaped || background == process->background)
        continue;
      setTreePriority(process->pid, background ? idlePriority_ : TreePriority{});
      process->background = background;
    }
  } catch (const std::exception& e) {
    log(LogLevel::Warn, kLog, std::string("cannot change a process tree's priority: ") + e.what());
  }
}

void ProcessSupervisor::setExitListener(ExitListener listener) {
  std::lock_guard<std::mutex> lock(mutex_);
  listener_ = std::move(listener);
}

void ProcessSupervisor::setOutputListener(OutputListener listener) {
  std::lock_guard<std::mutex> lock(outputListenerMutex_);
  outputListener_ = std::move(listener);
}

size_t ProcessSupervisor::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return processes_.size();
}

void ProcessSupervisor::terminateAll(const std::vector<ProcessPtr>& processes,
                                     std::chrono::milliseconds grace) {
  if (processes.empty()) {
    return;
  }
  std::unique_lock<std::mutex> lock(mutex_);
  std::vector<ProcessPtr> mine; // the ones no other terminate call is already ending
  for (const ProcessPtr& process : processes) {
    if (!process->terminating) {
      process->terminating = true;
      mine.push_back(process);
    }
  }
  auto allEnded = [&] {
    return std::all_of(processes.begin(), processes.end(),
                       [](const ProcessPtr& p) { return p->ended; });
  };
  // Signals only unreaped guards: until waitpid succeeds (under this lock) the pid is theirs.
  auto signalAll = [&](int sig, bool group) {
    for (const ProcessPtr& process : mine) {
      if (!process->reaped) {
        ::kill(process->pid, sig);
        if (group) {
          ::kill(-process->pid, sig);
        }
      }
    }
  };
  signalAll(SIGTERM, false);
  waitEnded(lock, processes, deadlineAfter(grace));
  if (!allEnded()) {
    signalAll(SIGUSR1, false);
    waitEnded(lock, processes, std::chrono::steady_clock::now() + kKillWait);
  }
  if (!allEnded()) {
    signalAll(SIGKILL, true);
    waitEnded(lock, processes, std::chrono::steady_clock::now() + kReapWait);
  }
  for (const ProcessPtr& process : processes) {
    auto found = processes_.find(process->id);
    if (found != processes_.end() && found->second == process) {
      processes_.erase(found);
    }
    if (!process->ended) {
      // The watcher thread keeps it in live_ and reaps it when it finally goes.
      log(LogLevel::Error, kLog,
          "process " + std::to_string(process->id) + " (guard pid " + std::to_string(process->pid) +
              ") survived SIGKILL; forgetting it");
    }
  }
}

} // namespace wdh
