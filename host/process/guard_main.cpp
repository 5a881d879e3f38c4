// wdhost-guard: runs one program and makes its whole process tree die as a unit.
//
// Usage: wdhost-guard [--lifeline-fd N] [--pass-fd N] [--cwd DIR] -- PROGRAM ARGS...
//        (PROGRAM an absolute path; DIR the program's working directory, absolute)
//
// The guard is a child subreaper, so daemonized descendants reparent to it. It ends the
// tree when the program exits (SIGTERM, 2 s, SIGKILL), when asked (SIGTERM/SIGINT/SIGHUP:
// forward SIGTERM; SIGUSR1: SIGKILL everything), and when the lifeline fd becomes readable
// or hangs up (its write end is held only by the host, so that means the host died). It
// exits with the program's status: the same exit code, or death by the same signal.
// Exit 125: bad usage or setup failure; 127: PROGRAM could not be executed.
#include "process/guard_tree.h"

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kSetupFailure = 125;
constexpr int kExecFailure = 127;
constexpr auto kDrainGrace = std::chrono::seconds(2);
constexpr int kKillRounds = 50;

// Writes a whole message to stderr, ignoring failures.
void writeStderr(const std::string& text) {
  size_t done = 0;
  for (int attempt = 0; attempt < 100 && done < text.size(); ++attempt) {
    ssize_t n = ::write(STDERR_FILENO, text.data() + done, text.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n < 0 && errno != EINTR) {
      return;
    }
  }
}

// Parsed command line.
struct Options {
  int lifelineFd = -1;
  int passFd = -1;           // a descriptor the program inherits (the guard keeps no copy)
  const char* cwd = nullptr; // the program's working directory, or null (the guard's)
  std::vector<char*> argv;   // PROGRAM ARGS..., NULL-terminated
};

// Parses the command line; false (with a message written) when it is malformed.
bool parseOptions(int argc, char** argv, Options* out) {
  int i = 1;
  for (; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg == "--lifeline-fd" && i + 1 < argc) {
      char* end = nullptr;
      long fd = std::strtol(argv[++i], &end, 10);
      if (*end != '\0' || fd < 0 || fd > 1 << 20) {
        writeStderr("wdhost-guard: bad --lifeline-fd value\n");
        return false;
      }
      out->lifelineFd = static_cast<int>(fd);
    } else if (arg == "--pass-fd" && i + 1 < argc) {
      char* end = nullptr;
      long fd = std::strtol(argv[++i], &end, 10);
      if (*end != '\0' || fd < 3 || fd > 1 << 20) {
        writeStderr("wdhost-guard: bad --pass-fd value\n");
        return false;
      }
      out->passFd = static_cast<int>(fd);
    } else if (arg == "--cwd" && i + 1 < argc && argv[i + 1][0] == '/') {
      out->cwd = argv[++i];
    } else {
      writeStderr("wdhost-guard: unknown option " + arg + "\n");
      return false;
    }
  }
  if (i >= argc || argv[i][0] != '/') {
    writeStderr("usage: wdhost-guard [--lifeline-fd N] [--pass-fd N] [--cwd /DIR] -- "
                "/ABSOLUTE/PROGRAM [ARGS...]\n");
    return false;
  }
  for (; i < argc; ++i) {
    out->argv.push_back(argv[i]);
  }
  out->argv.push_back(nullptr);
  return true;
}

// The supervisor of one process tree.
class Guard {
public:
  Guard(int lifelineFd, int signalFd) : lifelineFd_(lifelineFd), signalFd_(signalFd) {}

  // Starts the program; false (with a message written) when fork fails.
  bool start(const Options& options, const sigset_t& blocked);
  // Runs until the tree is gone and returns only when the program's status cannot be mirrored.
  [[noreturn]] void run();

private:
  enum class Event { None, HostGone, Kill };

  // Waits at most `timeout` (negative: forever) for signals or the lifeline; reaps children.
  Event waitEvent(int timeoutMs);
  // Reaps every exited child, remembering the main child's status.
  void reapAll();
  // Sends `sig` once to every live descendant (and the child's group while it exists).
  size_t signalTree(int sig);
  // SIGKILLs the tree in rounds until no descendant remains (bounded).
  void killTree();
  // After the main child ended: SIGTERM the rest, wait up to 2 s, SIGKILL, exit.
  [[noreturn]] void finish();
  // Exits with the main child's status.
  [[noreturn]] void exitLikeChild();

  int lifelineFd_;
  int signalFd_;
  pid_t child_ = -1;
  bool childReaped_ = false;
  int childStatus_ = 0;
};

bool Guard::start(const Options& options, const sigset_t& blocked) {
  pid_t guardPid = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    writeStderr(std::string("wdhost-guard: fork failed: ") + std::strerror(errno) + "\n");
    return false;
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    // If the guard itself is SIGKILLed, the program goes with it.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != guardPid) {
      ::_exit(kExecFailure);
    }
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) {
      if (sig != SIGKILL && sig != SIGSTOP) {
        ::sigaction(sig, &dfl, nullptr);
      }
    }
    ::sigprocmask(SIG_UNBLOCK, &blocked, nullptr);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (options.cwd != nullptr && ::chdir(options.cwd) != 0) {
      writeStderr(std::string("wdhost-guard: cannot enter ") + options.cwd + ": " +
                  std::strerror(errno) + "\n");
      ::_exit(kExecFailure);
    }
    ::execv(options.argv[0], options.argv.data());
    writeStderr(std::string("wdhost-guard: cannot execute ") + options.argv[0] + ": " +
                std::strerror(errno) + "\n");
    ::_exit(kExecFailure);
  }
  // Both sides set the group, so it exists before anyone signals it.
  ::setpgid(pid, pid);
  // Only the program holds the passed descriptor, so its peer sees the end when it ends.
  if (options.passFd >= 0) {
    ::close(options.passFd);
  }
  child_ = pid;
  return true;
}

void Guard::reapAll() {
  for (int i = 0; i < 100000; ++i) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) {
      if (pid < 0 && errno == EINTR) {
        continue;
      }
      return;
    }
    if (pid == child_) {
      childReaped_ = true;
      childStatus_ = status;
    }
  }
}

size_t Guard::signalTree(int sig) {
  reapAll();
  size_t signalled = 0;
  for (const wdh::ProcInfo& proc : wdh::findDescendants(::getpid())) {
    if (proc.state != 'Z' && proc.state != 'X' && ::kill(proc.pid, sig) == 0) {
      ++signalled;
    }
  }
  // Until the child is reaped its pid (= its group id) cannot be reused.
  if (!childReaped_) {
    ::kill(-child_, sig);
  }
  return signalled;
}

void Guard::killTree() {
  auto pause = std::chrono::milliseconds(1);
  for (int round = 0; round < kKillRounds; ++round) {
    signalTree(SIGKILL);
    reapAll();
    if (childReaped_ && wdh::findDescendants(::getpid()).empty()) {
      return;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
}

Guard::Event Guard::waitEvent(int timeoutMs) {
  pollfd fds[2] = {{signalFd_, POLLIN, 0}, {lifelineFd_, POLLIN, 0}};
  nfds_t count = lifelineFd_ >= 0 ? 2 : 1;
  int ready = ::poll(fds, count, timeoutMs);
  if (ready < 0) {
    if (errno == EINTR) {
      return Event::None;
    }
    return Event::Kill;
  }
  // The host never writes to the lifeline: any readiness means EOF, i.e. the host is gone.
  if (count == 2 && fds[1].revents != 0) {
    return Event::HostGone;
  }
  Event event = Event::None;
  if (fds[0].revents != 0) {
    signalfd_siginfo info;
    for (int i = 0; i < 1000; ++i) {
      ssize_t n = ::read(signalFd_, &info, sizeof info);
      if (n != static_cast<ssize_t>(sizeof info)) {
        break;
      }
      int sig = static_cast<int>(info.ssi_signo);
      if (sig == SIGUSR1) {
        event = Event::Kill;
      } else if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP) {
        signalTree(SIGTERM);
      }
    }
  }
  reapAll();
  return event;
}

void Guard::run() {
  // Event loop: ends when the main child is gone or the tree must die now.
  for (;;) {
    Event event = waitEvent(-1);
    if (event != Event::None) {
      killTree();
      exitLikeChild();
    }
    if (childReaped_) {
      finish();
    }
  }
}

void Guard::finish() {
  signalTree(SIGTERM);
  Clock::time_point deadline = Clock::now() + kDrainGrace;
  // Bounded by the deadline: every pass waits at most 50 ms.
  while (Clock::now() < deadline) {
    reapAll();
    if (wdh::findDescendants(::getpid()).empty()) {
      exitLikeChild();
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    int timeoutMs = static_cast<int>(std::min<long long>(std::max<long long>(left.count(), 1), 50));
    if (waitEvent(timeoutMs) != Event::None) {
      break;
    }
  }
  killTree();
  exitLikeChild();
}

void Guard::exitLikeChild() {
  if (!childReaped_) {
    ::_exit(128 + SIGKILL);
  }
  if (WIFEXITED(childStatus_)) {
    ::_exit(WEXITSTATUS(childStatus_));
  }
  int sig = WIFSIGNALED(childStatus_) ? WTERMSIG(childStatus_) : SIGKILL;
  if (sig != SIGSTOP && sig != SIGTSTP && sig != SIGTTIN && sig != SIGTTOU) {
    // Die by the same signal, without leaving a core file of the guard.
    rlimit noCore{0, 0};
    ::setrlimit(RLIMIT_CORE, &noCore);
    ::signal(sig, SIG_DFL);
    sigset_t only;
    ::sigemptyset(&only);
    ::sigaddset(&only, sig);
    ::sigprocmask(SIG_UNBLOCK, &only, nullptr);
    ::raise(sig);
  }
  ::_exit(128 + sig);
}

} // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parseOptions(argc, argv, &options)) {
    return kSetupFailure;
  }
  wdh::closeFdsExcept(options.lifelineFd, options.passFd);
  if (options.lifelineFd >= 0) {
    int flags = ::fcntl(options.lifelineFd, F_GETFD);
    if (flags < 0) {
      writeStderr("wdhost-guard: --lifeline-fd is not an open descriptor\n");
      return kSetupFailure;
    }
    // The program must not inherit it.
    ::fcntl(options.lifelineFd, F_SETFD, flags | FD_CLOEXEC);
  }
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    writeStderr(std::string("wdhost-guard: cannot become a subreaper: ") + std::strerror(errno) +
                "\n");
    return kSetupFailure;
  }
  sigset_t blocked;
  ::sigemptyset(&blocked);
  for (int sig : {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGUSR1}) {
    ::sigaddset(&blocked, sig);
  }
  ::sigprocmask(SIG_BLOCK, &blocked, nullptr);
  int signalFd = ::signalfd(-1, &blocked, SFD_CLOEXEC | SFD_NONBLOCK);
  if (signalFd < 0) {
    writeStderr(std::string("wdhost-guard: signalfd failed: ") + std::strerror(errno) + "\n");
    return kSetupFailure;
  }
  Guard guard(options.lifelineFd, signalFd);
  if (!guard.start(options, blocked)) {
    return kSetupFailure;
  }
  guard.run();
}
