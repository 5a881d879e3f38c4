// Test support: runs the real wdhost binary on a port the OS picks, and talks HTTP to it.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace wdhtest {

// An HTTP answer.
struct HttpAnswer {
  int status = 0;           // HTTP status, 0 when no answer came
  std::string contentType;  // Content-Type header
  std::string cacheControl; // Cache-Control header
  std::string body;         // the body
};

// Sends one request to http://127.0.0.1:port + path (bounded by `timeout`).
HttpAnswer httpRequest(int port, std::string_view method, std::string_view path,
                       std::string_view body = {},
                       std::chrono::milliseconds timeout = std::chrono::seconds(120));

// True once the host on `port` reports no session in /status (no slot taken, no teardown
// left), polled for at most `timeout`.
bool noSessionsWithin(int port, std::chrono::milliseconds timeout);

// A raw TCP connection to 127.0.0.1:port whose reads give up after 5 s; -1 on failure.
int connectTo(int port);

// Sends `bytes` on a new connection (then shuts down the sending side when `halfClose`) and
// returns what comes back before the peer closes, 5 s pass, or 64 KiB arrived.
std::string rawExchange(int port, const std::string& bytes, bool halfClose = false);

// The "sessionId" of a New Session answer, or "".
std::string sessionIdOf(const std::string& body);

// A wdhost process started with `args` plus "--port 0" (and "--warm-browsers 0" unless `args`
// set it: one browser per session, as tests count them; and "--isolate-plugin NAME" when the
// environment has WDHOST_TEST_ISOLATE=NAME); SIGTERM (then SIGKILL) when destroyed.
class HostProcess {
public:
  // Starts the binary and waits (bounded) for its "listening on" line; throws on failure.
  HostProcess(const std::string& binary, const std::vector<std::string>& args);
  ~HostProcess();
  HostProcess(const HostProcess&) = delete;
  HostProcess& operator=(const HostProcess&) = delete;

  // The port it listens on.
  int port() const noexcept { return port_; }
  // Its pid.
  int pid() const noexcept { return pid_; }
  // Sends SIGTERM and waits (bounded) for exit; returns the exit code, or -signal, or -1000
  // when it had to be killed.
  int stop(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Waits (bounded) for it to exit on its own; returns the exit code, or -signal, or -1000 when
  // it is still running after `timeout`.
  int waitForExit(std::chrono::milliseconds timeout);
  // Everything it wrote to stderr so far (its log), for failure messages.
  std::string log() const;

private:
  int pid_ = -1;
  int port_ = 0;
  std::string logPath_;
  bool stopped_ = false;
};

// What a finished command printed and how it ended.
struct CommandResult {
  int exitCode = -1;  // exit code, or -signal
  std::string output; // stdout and stderr together
};

// Runs argv[0] (absolute) to completion, killing it after `timeout`.
CommandResult runCommand(const std::vector<std::string>& argv,
                         std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Pids of live processes whose command line contains `needle` (or, with `atStart`, begins with
// it) and whose ancestor is `root`.
std::vector<int> descendantsMatching(int root, std::string_view needle, bool atStart = false);

// The TCP ports on which process `pid` listens (IPv4), from /proc.
std::vector<int> listeningPorts(int pid);

// The resident memory (VmRSS) of process `pid` in KiB, or -1 when it cannot be read.
long rssKiB(int pid);

// Pids of live processes whose command line contains `needle`.
std::vector<int> processesMatching(std::string_view needle);

// The value of the unlabelled metric `name` (or of its series `name{labels}` when `name` has
// them) in the host's /metrics, or -1 when /metrics or the series cannot be read. The host must
// need no operator token.
double metricValue(int port, std::string_view name);

// Polls `check` every 50 ms until it is true or `timeout` passes; returns its last value.
template <class Check>
bool eventually(Check check, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (check())
      return true;
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    struct timespec pause = {0, 50 * 1000 * 1000};
    nanosleep(&pause, nullptr);
  }
}

} // namespace wdhtest
