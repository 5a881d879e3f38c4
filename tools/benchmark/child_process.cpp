#include "child_process.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace bench {
namespace {

constexpr int kMaxChildren = 64;
std::atomic<int> gGroups[kMaxChildren];

void remember(int pgid) {
  for (auto& slot : gGroups) {
    int empty = 0;
    if (slot.compare_exchange_strong(empty, pgid))
      return;
  }
}

void forget(int pgid) {
  for (auto& slot : gGroups) {
    int expected = pgid;
    slot.compare_exchange_strong(expected, 0);
  }
}

extern "C" void onSignal(int) {
  for (auto& slot : gGroups) {
    int pgid = slot.load();
    if (pgid > 0)
      kill(-pgid, SIGKILL);
  }
  _exit(130);
}

// Forks and execs argv with stdout/stderr on `fd`, in a new process group, killed if we die.
int spawn(const std::vector<std::string>& argv, int fd) {
  std::vector<char*> args;
  for (const std::string& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0)
    throw std::runtime_error("fork failed");
  if (pid == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
      _exit(127);
    dup2(fd, 1);
    dup2(fd, 2);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0)
      dup2(devnull, 0);
    execv(args[0], args.data());
    _exit(127);
  }
  setpgid(pid, pid);
  return pid;
}

void pause(std::chrono::milliseconds duration) {
  std::this_thread::sleep_for(duration);
}

} // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv, std::string logPath)
    : logPath_(std::move(logPath)) {
  int fd = open(logPath_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    throw std::runtime_error("cannot open " + logPath_);
  pid_ = spawn(argv, fd);
  remember(pid_);
  close(fd);
}

ChildProcess::~ChildProcess() {
  stop();
}

bool ChildProcess::running() {
  if (reaped_)
    return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_)
    reaped_ = true;
  return !reaped_;
}

std::string ChildProcess::waitForLine(std::string_view marker,
                                      std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    std::ifstream in(logPath_);
    std::string line;
    while (std::getline(in, line))
      if (line.find(marker) != std::string::npos)
        return line;
    int status = 0;
    if (reaped_ || waitpid(pid_, &status, WNOHANG) == pid_)
      throw std::runtime_error("process exited before printing '" + std::string(marker) +
                               "'; see " + logPath_);
    if (std::chrono::steady_clock::now() >= deadline)
      throw std::runtime_error("no '" + std::string(marker) + "' within " +
                               std::to_string(timeout.count()) + " ms; see " + logPath_);
    pause(std::chrono::milliseconds(20));
  }
}

void ChildProcess::stop(std::chrono::milliseconds grace, bool wholeGroup) {
  if (pid_ <= 0 || !running()) {
    if (pid_ > 0) {
      kill(-pid_, SIGKILL); // leftovers of the group, if any
      forget(pid_);
    }
    pid_ = -1;
    return;
  }
  kill(wholeGroup ? -pid_ : pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (running() && std::chrono::steady_clock::now() < deadline)
    pause(std::chrono::milliseconds(20));
  kill(-pid_, SIGKILL);
  if (!reaped_) {
    int status = 0;
    waitpid(pid_, &status, 0);
    reaped_ = true;
  }
  forget(pid_);
  pid_ = -1;
}

void killChildrenOnSignal() {
  struct sigaction action {};
  action.sa_handler = onSignal;
  sigemptyset(&action.sa_mask);
  for (int signal : {SIGINT, SIGTERM, SIGHUP})
    sigaction(signal, &action, nullptr);
}

std::string runAndCapture(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  char path[] = "/tmp/wdhost-bench-run-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0)
    throw std::runtime_error("mkstemp failed");
  close(fd);
  {
    ChildProcess child(argv, path);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (child.running() && std::chrono::steady_clock::now() < deadline)
      pause(std::chrono::milliseconds(10));
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  unlink(path);
  return text.str();
}

} // namespace bench
