#include "child_run.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace check {
namespace {

constexpr const char* kMarker = "RESULT ";

// Parses the last RESULT line of `output`; false when there is none.
bool parseResult(const std::string& output, Outcome* out) {
  std::size_t at = output.rfind(std::string("\n") + kMarker);
  if (at == std::string::npos && output.rfind(kMarker, 0) == 0)
    at = 0;
  else if (at == std::string::npos)
    return false;
  else
    ++at;
  std::size_t end = output.find('\n', at);
  std::string line =
      output.substr(at + std::strlen(kMarker),
                    end == std::string::npos ? std::string::npos : end - at - std::strlen(kMarker));
  std::string kind = line.substr(0, 4);
  std::string detail = line.size() > 5 ? line.substr(5) : "";
  if (kind == "PASS")
    *out = Outcome::pass(detail);
  else if (kind == "SKIP")
    *out = Outcome::skip(detail);
  else
    *out = Outcome::fail(detail.empty() ? "failed without a reason" : detail);
  return true;
}

std::string lastLine(const std::string& output) {
  std::size_t end = output.find_last_not_of("\n ");
  if (end == std::string::npos)
    return "";
  std::size_t start = output.rfind('\n', end);
  return output.substr(start == std::string::npos ? 0 : start + 1,
                       end - (start == std::string::npos ? 0 : start + 1) + 1);
}

} // namespace

void printResult(const Outcome& outcome) {
  const char* kind = outcome.kind == Outcome::Pass   ? "PASS"
                     : outcome.kind == Outcome::Skip ? "SKIP"
                                                     : "FAIL";
  std::string detail = outcome.detail;
  for (char& c : detail)
    if (c == '\n')
      c = ' ';
  std::cout << std::flush;
  std::cerr << std::flush;
  std::string line = "\n" + std::string(kMarker) + kind + " " + detail + "\n";
  ssize_t ignored = write(STDOUT_FILENO, line.data(), line.size());
  (void)ignored;
}

ChildResult runChild(const std::string& self, const std::vector<std::string>& args,
                     int timeoutSeconds) {
  ChildResult result;
  auto start = std::chrono::steady_clock::now();
  int pipeFds[2];
  if (pipe2(pipeFds, O_CLOEXEC) != 0) {
    result.outcome = Outcome::fail(std::string("pipe: ") + std::strerror(errno));
    return result;
  }
  std::vector<std::string> argvStrings = {self};
  argvStrings.insert(argvStrings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argvStrings)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    result.outcome = Outcome::fail(std::string("fork: ") + std::strerror(errno));
    close(pipeFds[0]);
    close(pipeFds[1]);
    return result;
  }
  if (pid == 0) {
    setpgid(0, 0);
    dup2(pipeFds[1], STDOUT_FILENO);
    dup2(pipeFds[1], STDERR_FILENO);
    execv(self.c_str(), argv.data());
    _exit(127);
  }
  setpgid(pid, pid);
  close(pipeFds[1]);
  auto deadline = start + std::chrono::seconds(timeoutSeconds);
  bool timedOut = false;
  char buffer[4096];
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timedOut = true;
      break;
    }
    pollfd pfd{pipeFds[0], POLLIN, 0};
    int ready = poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR)
      continue;
    if (ready <= 0)
      continue;
    ssize_t n = read(pipeFds[0], buffer, sizeof buffer);
    if (n <= 0)
      break; // every writer closed: the child and anything it started are done with it
    if (result.output.size() < (1u << 20))
      result.output.append(buffer, static_cast<std::size_t>(n));
  }
  close(pipeFds[0]);
  if (timedOut)
    kill(-pid, SIGKILL);
  int status = 0;
  // Bounded: after the pipe closed (or SIGKILL) the child is at most exiting.
  for (int i = 0; i < 500; ++i) {
    if (waitpid(pid, &status, WNOHANG) == pid)
      break;
    if (i == 250)
      kill(-pid, SIGKILL);
    usleep(20 * 1000);
  }
  result.ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (timedOut) {
    result.outcome =
        Outcome::fail("did not finish within " + std::to_string(timeoutSeconds) + " s");
    return result;
  }
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    std::string tail = lastLine(result.output);
    result.outcome =
        Outcome::fail("the plugin crashed the process (signal " + std::to_string(sig) + ", " +
                      strsignal(sig) + ")" + (tail.empty() ? "" : "; last output: " + tail));
    return result;
  }
  if (!parseResult(result.output, &result.outcome))
    result.outcome = Outcome::fail(
        "the check exited with code " +
        std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + " without a result" +
        (result.output.empty() ? "" : "; last output: " + lastLine(result.output)));
  return result;
}

} // namespace check
