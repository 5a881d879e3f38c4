// Tests of ProcessSupervisor, OutputTail and the wdhost-guard program they run under.
//
// Build requirement: WDHOST_GUARD_PATH must be defined as a string macro holding the
// absolute path of the wdhost-guard binary, e.g. in CMake:
//   target_compile_definitions(<tests> PRIVATE WDHOST_GUARD_PATH="$<TARGET_FILE:wdhost-guard>")
#include "process/output_tail.h"
#include "process/process_supervisor.h"
#include "support/proc_files.h"
#include "support/scratch_dir.h"

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <signal.h>
#include <sstream>
#include <string>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#ifndef WDHOST_GUARD_PATH
#error "WDHOST_GUARD_PATH must be defined as the absolute path of wdhost-guard"
#endif

namespace {

using namespace std::chrono_literals;
using wdh::ProcessState;
using wdh::ProcessSupervisor;
using Wait = ProcessSupervisor::WaitResult;
using Clock = std::chrono::steady_clock;

// argv for /bin/sh -c script.
std::vector<std::string> sh(const std::string& script) {
  return {"/bin/sh", "-c", script};
}

// A scratch directory of this test's own.
struct Scratch : wdhtest::ScratchDir {
  Scratch() : wdhtest::ScratchDir("process-test") {}
  std::string file(const std::string& name) const { return path(name); }
};

// Shell code that starts a daemon (double fork + setsid, so it reparents to the guard)
// which writes its pid to `pidFile`, then waits at most 10 s for that file to appear.
std::string startDaemon(const std::string& pidFile) {
  return "(setsid /bin/sh -c 'echo $$ > " + pidFile + ".tmp; mv " + pidFile + ".tmp " + pidFile +
         "; exec /bin/sleep 300' &); i=0; while [ ! -f " + pidFile +
         " ] && [ $i -lt 200 ]; do /bin/sleep 0.05; i=$((i+1)); done; ";
}

// Polls `condition` every 10 ms for at most `timeout`; returns its last result.
template <typename Condition>
bool eventually(std::chrono::milliseconds timeout, Condition condition) {
  for (auto deadline = Clock::now() + timeout; Clock::now() < deadline;) {
    if (condition()) {
      return true;
    }
    std::this_thread::sleep_for(10ms);
  }
  return condition();
}

// The pid written (atomically, by mv) into `path`, waiting at most 5 s; -1 if none came.
pid_t readPidFile(const std::string& path) {
  long pid = -1;
  eventually(5s, [&] { return static_cast<bool>(std::ifstream(path) >> pid) && pid > 0; });
  return static_cast<pid_t>(pid);
}

// State letter and parent pid from /proc/<pid>/stat; false when the process is gone.
bool procStat(const std::string& pid, char* state, long* ppid) {
  std::string text;
  if (!wdhtest::readProcFile("/proc/" + pid + "/stat", &text))
    return false; // gone, even while it was being read
  size_t close = text.rfind(')');
  std::istringstream rest(close == std::string::npos ? "" : text.substr(close + 1));
  return static_cast<bool>(rest >> *state >> *ppid);
}

// True when pid no longer exists or is only a zombie (PID 1 here may not reap orphans).
bool processGone(pid_t pid) {
  char state = '?';
  long ppid = 0;
  return ::kill(pid, 0) != 0 || !procStat(std::to_string(pid), &state, &ppid) || state == 'Z' ||
         state == 'X';
}

// SIGKILLs pid if a failed check left it running.
void killIfAlive(pid_t pid) {
  if (pid > 0 && !processGone(pid)) {
    ::kill(pid, SIGKILL);
  }
}

// Number of open file descriptors of this process.
size_t openFdCount() {
  auto entries = std::filesystem::directory_iterator("/proc/self/fd");
  return static_cast<size_t>(std::distance(begin(entries), end(entries)));
}

// Number of zombie children of this process.
size_t zombieChildCount() {
  size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::string name = entry.path().filename().string();
    char state = '?';
    long ppid = 0;
    if (name.find_first_not_of("0123456789") == std::string::npos &&
        procStat(name, &state, &ppid) && state == 'Z' && ppid == ::getpid()) {
      ++count;
    }
  }
  return count;
}

// Spawns or fails the test.
ProcessSupervisor::Id spawnOk(ProcessSupervisor& supervisor, const std::vector<std::string>& argv,
                              const std::string& owner = "",
                              const std::vector<std::string>& env = {}) {
  ProcessSupervisor::Id id = 0;
  wdh::Status status = supervisor.spawn(argv, env, owner, &id);
  REQUIRE_MESSAGE(status.isOk(), status.message());
  REQUIRE(id != 0);
  return id;
}

// The final state after waiting (at most 10 s) for the process to end.
ProcessState finalState(ProcessSupervisor& supervisor, ProcessSupervisor::Id id) {
  CHECK(supervisor.waitOutput(id, "\x01never printed\x01", 10s, nullptr) == Wait::Ended);
  ProcessState state;
  CHECK(supervisor.poll(id, &state));
  return state;
}

} // namespace

TEST_CASE("process: OutputTail keeps the last bytes") {
  wdh::OutputTail tail(8);
  tail.append("abc");
  tail.append("defgh");
  CHECK(tail.view() == "abcdefgh");
  tail.append("ij");
  CHECK(tail.view() == "cdefghij");
  for (int i = 0; i < 100; ++i) {
    tail.append("x");
  }
  CHECK(tail.view() == "xxxxxxxx");
  tail.append("0123456789");
  CHECK(tail.view() == "23456789");
  CHECK(tail.contains("2345"));
  CHECK_FALSE(tail.contains("01"));
  CHECK(tail.total() == 120);
}

TEST_CASE("process: waitOutput finds text the child printed") {
  ProcessSupervisor supervisor(WDHOST_GUARD_PATH);
  auto id = spawnOk(supervisor, sh("echo out; echo ready >&2; exec /bin/sleep 300"));
  std::string output;
  CHECK(supervisor.waitOutput(id, "ready", 10s, &output) == Wait::Found);
  CHECK(output.find("ready") != std::string::npos);
  // Already captured text is found again at once; absent text times out.
  CHECK(supervisor.waitOutput(id, "out", 0ms, &output) == Wait::Found);
  CHECK(supervisor.waitOutput(id, "absent", 50ms, &output) == Wait::Timeout);
  CHECK(supervisor.outputTail(id) == "out\nready\n");
  ProcessState state;
  CHECK(supervisor.poll(id, &state));
  CHECK(state.kind == ProcessState::Running);
  CHECK(state.describe() == "running");
  CHECK(supervisor.size() == 1);
  supervisor.terminate(id, 2s);
  CHECK(supervisor.size() == 0);
  CHECK_FALSE(supervisor.poll(id, &state));
}

TEST_CASE("process: exit code and signal propagate through the guard") {
  ProcessSupervisor supervisor(WDHOST_GUARD_PATH);
  ProcessState exited = finalState(supervisor, spawnOk(supervisor, sh("exit 3")));
  CHECK(exited.kind == ProcessState::Exited);
  CHECK(exited.detail == 3);
  CHECK(exited.describe() == "exit code 3");
  ProcessState killed = finalState(supervisor, spawnOk(supervisor, sh("kill -9 $$")));
  CHECK(killed.kind == ProcessState::Signaled);
  CHECK(killed.detail == SIGKILL);
  CHECK(killed.describe() == "signal 9");
  ProcessState segv = finalState(supervisor, spawnOk(supervisor, sh("kill -SEGV $$")));
  CHECK(segv.kind == ProcessState::Signaled);
  CHECK(segv.detail == SIGSEGV);
  // An ended process stays known until terminated; terminate is then just a release.
  CHECK(supervisor.size() == 3);
  CHECK(supervisor.terminateOwnedBy("", 1s) == 3);
  CHECK(supervisor.size() == 0);
}

TEST_CASE("process: the allowed environment and the overrides reach the child, nothing else") {
  ProcessSupervisor supervisor(WDHOST_GUARD_PATH, wdh::EnvironmentAllowlist({"WDH_TEST_*"}));
  ::setenv("WDH_TEST_KEPT", "kept", 1);
  ::setenv("WDH_TEST_REPLACED", "old", 1);
  ::setenv("WDH_SECRET", "hidden", 1);
  auto id = spawnOk(supervisor,
                    sh("echo \"$WDH_TEST_KEPT $WDH_TEST_REPLACED $WDH_TEST_NEW [$WDH_SECRET]\""),
                    "", {"WDH_TEST_REPLACED=new", "WDH_TEST_NEW=added"});
  CHECK(supervisor.waitOutput(id, "kept new added []", 10s, nullptr) == Wait::Found);
  ::unsetenv("WDH_TEST_KEPT");
  ::unsetenv("WDH_TEST_REPLACED");
  ::unsetenv("WDH_SECRET");
  ProcessSupervisor::Id bad = 0;
  CHECK(supervisor.spawn(sh("true"), {"NOEQUALS"}, "", &bad).code() ==
        wdh::ErrorCode::InvalidArgument);
}

TEST_CASE("process: output tail is bounded to 64 KiB") {
  ProcessSupervisor supervisor(WDHOST_GUARD_PATH);
  // About 160 KB of output, then a marker.
  auto id = spawnOk(
      supervisor,
      sh("i=0; while [ $i -lt 2000 ]; do "
         "echo 0123456789012345678901234567890123456789012345678901234567890123456789012345678; "
         "i=$((i+1)); done; echo END"));
  CHECK(finalState(supervisor, id).detail == 0);
  std::string tail = supervisor.outputTail(id);
  CHECK(tail.size() == 64 * 1024);
  CHECK(tail.substr(tail.size() - 4) == "END\n");
}

TEST_CASE("process: a missing or unusable binary gives SessionNotCreated") {
  ProcessSupervisor supervisor(WDHOST_GUARD_PATH);
  ProcessSupervisor::Id id = 0;
  wdh::Status missing = supervisor.spawn({"/nonexistent/wdh-no-such-binary"}, {}, "", &id);
  CHECK(missing.code() == wdh::ErrorCode::SessionNotCreated);
  CHECK(missing.message().find("/nonexistent/wdh-no-such-binary") != std::string::npos);
  CHECK(supervisor.spawn({"relative/sh"}, {}, "", &id).code() == wdh::ErrorCode::SessionNotCreated);
  CHECK(supervisor.spawn({"/tmp"}, {}, "", &id).code() == wdh::ErrorCode::SessionNotCreated);
  CHECK(supervisor.spawn({}, {}, "", &id).code() == wdh::ErrorCode::InvalidArgument);
  ProcessSupervisor noGuard("/nonexistent/wdhost-guard");
  wdh::Status guardMissing = noGuard.spawn(sh("true"), {}, "", &id);
  CHECK(guardMissing.code() == wdh::ErrorCode::SessionNotCreated);
  CHECK(guardMissing.message().find("/nonexistent/wdhost-guard") != std::string::npos);
  CHECK(supervisor.size() == 0);

  // Executable bits but not a program: the guard reports the exec failure and exits 127.
  Scratch scratch;
  std::string junk = scratch.file("junk");
  std::ofstream(junk) << "\x7f\x01\x02 not a program";
  REQUIRE(::chmod(junk.c_str(), 0755) == 0);
  ProcessState state = finalState(supervisor, spawnOk(supervisor, {junk}));
  CHECK(state.kind == ProcessState::Exited);
  CHECK(state.detail == 127);
}

TEST_CASE("process: unknown ids are harmless") {
  ProcessSupervisor supervisor(WDHOST_GUARD_PATH);
  ProcessState state;
  CHECK_FALSE(supervisor.poll(42, &state));
  CHECK(supervisor.outputTail(42).empty());
  std::string output = "stale";
  CHECK(supervisor.waitOutput(42, "x", 10ms, &output) == Wait::Unknown);
  CHECK(output.empty());
  supervisor.terminate(42, 10ms);
  CHECK(supervisor.terminateOwnedBy("nobody", 10ms) == 0);
}

TEST_CASE("process: exit listener fires for a self-exit, not for terminate") {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::pair<std::string, ProcessState>> events;
  ProcessSupervisor supervisor(WDHOST_GUARD_PATH);
  supervisor.setExitListener(
      [&](ProcessSupervisor::Id, const std::string& owner, const ProcessState& state) {
        std::lock_guard<std::mutex> lock(mutex);
        events.emplace_back(owner, state);
        changed.notify_all();
      });
  spawnOk(supervisor, sh("exit 5"), "session-1");
  {
    std::unique_lock<std::mutex> lock(mutex);
    REQUIRE(changed.wait_for(lock, 10s, [&] { return !events.empty(); }));
    CHECK(events[0].first == "session-1");
    CHECK(events[0].second.kind == ProcessState::Exited);
    CHECK(events[0].second.detail == 5);
  }
  auto id = spawnOk(supervisor, {"/bin/sleep", "300"}, "session-2");
  supervisor.terminate(id, 2s);
  // The terminated one was reaped before terminate() returned, and one thread reaps and tells
  // in order: once a process that exits later is told, the terminated one can no longer be.
  spawnOk(supervisor, sh("exit 7"), "session-3");
  std::unique_lock<std::mutex> lock(mutex);
  REQUIRE(changed.wait_for(lock, 10s, [&] { return events.size() >= 2; }));
  CHECK(events.size() == 2);
  CHECK(events[1].first == "session-3");
  CHECK(events[1].second.detail == 7);
}

TEST_CASE("process: an exit listener may terminate the owner's other processes") {
  std::mutex mutex;
  std::condition_variable changed;
  size_t terminated = 0;
  bool done = false;
  ProcessSupervisor supervisor(WDHOST_GUARD_PATH);
  supervisor.setExitListener(
      [&](ProcessSupervisor::Id, const std::string& owner, const ProcessState&) {
        size_t count = supervisor.terminateOwnedBy(owner, 1s); // as a session end would
        std::lock_guard<std::mutex> lock(mutex);
        terminated = count;
        done = true;
        changed.notify_all();
      });
  spawnOk(supervisor, {"/bin/sleep", "300"}, "session");
  spawnOk(supervisor, sh("exit 1"), "session");
  std::unique_lock<std::mutex> lock(mutex);
  REQUIRE(changed.wait_for(lock, 30s, [&] { return done; }));
  CHECK(terminated == 2);
  CHECK(supervisor.size() == 0);
}

TEST_CASE("process: terminate kills a daemonized grandchild") {
  Scratch scratch;
  ProcessSupervisor supervisor(WDHOST_GUARD_PATH);
  std::string daemon = scratch.file("daemon.pid");
  std::string main = scratch.file("main.pid");
  auto id = spawnOk(supervisor, sh(startDaemon(daemon) + "echo $$ > " + main +
                                   "; echo ready; exec /bin/sleep 300"));
  CHECK(supervisor.waitOutput(id, "ready", 10s, nullptr) == Wait::Found);
  pid_t daemonPid = readPidFile(daemon);
  pid_t mainPid = readPidFile(main);
  REQUIRE(daemonPid > 0);
  REQUIRE(mainPid > 0);
  CHECK_FALSE(processGone(daemonPid));
  supervisor.terminate(id, 2s);
  // The guard reaps the whole tree before it exits.
  CHECK(processGone(mainPid));
  CHECK(processGone(daemonPid));
  killIfAlive(daemonPid);
}

TEST_CASE("process: a daemon left behind by a self-exit is killed") {
  Scratch scratch;
  ProcessSupervisor supervisor(WDHOST_GUARD_PATH);
  std::string daemon = scratch.file("daemon.pid");
  auto id = spawnOk(supervisor, sh(startDaemon(daemon) + "exit 4"));
  ProcessState state = finalState(supervisor, id);
  CHECK(state.kind == ProcessState::Exited);
  CHECK(state.detail == 4);
  pid_t daemonPid = readPidFile(daemon);
  REQUIRE(daemonPid > 0);
  CHECK(processGone(daemonPid));
  killIfAlive(daemonPid);
}

TEST_CASE("process: terminateOwnedBy ends only that owner's processes, all at once") {
  Scratch scratch;
  ProcessSupervisor supervisor(WDHOST_GUARD_PATH);
  std::vector<ProcessSupervisor::Id> mine;
  // Each one, told to end, waits until all three were told before it ends by itself: ended one
  // after another, the first would wait out its grace and be killed without its "done" file.
  std::string told = scratch.file("told");
  for (int i = 0; i < 3; ++i) {
    std::string me = std::to_string(i);
    mine.push_back(spawnOk(supervisor,
                           sh("trap 'touch " + told + me + "; n=0; while [ ! -f " + told +
                              "0 ] || [ ! -f " + told + "1 ] || [ ! -f " + told +
                              "2 ]; do /bin/sleep 0.01; n=$((n+1)); [ $n -gt 6000 ] && "
                              "exit 1; done; touch " +
                              scratch.file("done") + me +
                              "; exit 0' TERM; echo ready; "
                              "while :; do /bin/sleep 0.05; done"),
                           "s1"));
    CHECK(supervisor.waitOutput(mine.back(), "ready", 10s, nullptr) == Wait::Found);
  }
  auto other = spawnOk(supervisor, {"/bin/sleep", "300"}, "s2");
  CHECK(supervisor.terminateOwnedBy("s1", 60s) == 3);
  for (int i = 0; i < 3; ++i)
    CHECK(std::filesystem::exists(scratch.file("done") + std::to_string(i)));
  CHECK(supervisor.size() == 1);
  ProcessState state;
  for (auto id : mine) {
    CHECK_FALSE(supervisor.poll(id, &state));
  }
  CHECK(supervisor.poll(other, &state));
  CHECK(state.kind == ProcessState::Running);
}

TEST_CASE("process: grace runs out for a tree that ignores SIGTERM") {
  Scratch scratch;
  ProcessSupervisor supervisor(WDHOST_GUARD_PATH);
  std::string main = scratch.file("main.pid");
  auto id = spawnOk(supervisor, sh("trap '' TERM; echo $$ > " + main + ".tmp; mv " + main +
                                   ".tmp " + main + "; echo ready; exec /bin/sleep 300"));
  CHECK(supervisor.waitOutput(id, "ready", 10s, nullptr) == Wait::Found);
  pid_t mainPid = readPidFile(main);
  REQUIRE(mainPid > 0);
  auto start = Clock::now();
  supervisor.terminate(id, 300ms);
  CHECK(Clock::now() - start >= 300ms); // the grace was given (a bound load cannot break)
  // Then it was killed: gone, and forgotten.
  CHECK(processGone(mainPid));
  CHECK(supervisor.size() == 0);
  killIfAlive(mainPid);
}

TEST_CASE("process: the tree dies with its host (lifeline)") {
  Scratch scratch;
  std::string daemon = scratch.file("daemon.pid");
  std::string main = scratch.file("main.pid");
  std::string script =
      startDaemon(daemon) + "echo $$ > " + main + "; echo ready; exec /bin/sleep 300";
  // reaper (subreaper, adopts the orphaned guard since PID 1 may not reap) -> host -> guard.
  pid_t reaper = ::fork();
  REQUIRE(reaper >= 0);
  if (reaper == 0) {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    pid_t host = ::fork();
    if (host == 0) {
      // A stand-in host: start one tree, then die without any cleanup.
      auto* supervisor = new ProcessSupervisor(WDHOST_GUARD_PATH);
      ProcessSupervisor::Id id = 0;
      if (!supervisor->spawn(sh(script), {}, "", &id).isOk()) {
        ::_exit(1);
      }
      ::_exit(supervisor->waitOutput(id, "ready", 10s, nullptr) == Wait::Found ? 0 : 2);
    }
    int hostStatus = 0;
    if (host < 0 ||
        !eventually(15s, [&] { return ::waitpid(host, &hostStatus, WNOHANG) == host; }) ||
        !WIFEXITED(hostStatus)) {
      ::_exit(3);
    }
    // The guard must now kill its tree and exit, as every other adopted process.
    for (auto deadline = Clock::now() + 10s; Clock::now() < deadline;) {
      int ignored = 0;
      pid_t reaped = ::waitpid(-1, &ignored, WNOHANG);
      if (reaped < 0 && errno == ECHILD) {
        ::_exit(WEXITSTATUS(hostStatus));
      }
      if (reaped == 0) {
        std::this_thread::sleep_for(10ms);
      }
    }
    ::_exit(4);
  }
  int status = -1;
  if (!eventually(30s, [&] { return ::waitpid(reaper, &status, WNOHANG) == reaper; })) {
    ::kill(reaper, SIGKILL);
    ::waitpid(reaper, &status, 0);
    FAIL("the stand-in host did not finish");
  }
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  pid_t mainPid = readPidFile(main);
  pid_t daemonPid = readPidFile(daemon);
  REQUIRE(mainPid > 0);
  REQUIRE(daemonPid > 0);
  CHECK(eventually(5s, [&] { return processGone(mainPid); }));
  CHECK(eventually(5s, [&] { return processGone(daemonPid); }));
  killIfAlive(mainPid);
  killIfAlive(daemonPid);
}

TEST_CASE("process: no fd or zombie leak after 20 spawn/terminate cycles") {
  {
    ProcessSupervisor supervisor(WDHOST_GUARD_PATH);
    size_t before = openFdCount();
    for (int i = 0; i < 20; ++i) {
      auto id = spawnOk(supervisor, {"/bin/sleep", "300"});
      supervisor.terminate(id, 2s);
    }
    for (int i = 0; i < 5; ++i) {
      finalState(supervisor, spawnOk(supervisor, {"/bin/true"}));
    }
    CHECK(supervisor.terminateOwnedBy("", 1s) == 5);
    CHECK(openFdCount() == before);
    CHECK(supervisor.size() == 0);
  }
  CHECK(zombieChildCount() == 0);
}

TEST_CASE("process: the destructor ends every remaining tree") {
  Scratch scratch;
  std::string main = scratch.file("main.pid");
  pid_t mainPid = -1;
  {
    ProcessSupervisor supervisor(WDHOST_GUARD_PATH);
    auto id = spawnOk(supervisor, sh("echo $$ > " + main + "; echo ready; exec /bin/sleep 300"));
    CHECK(supervisor.waitOutput(id, "ready", 10s, nullptr) == Wait::Found);
    mainPid = readPidFile(main);
    REQUIRE(mainPid > 0);
  }
  CHECK(processGone(mainPid));
  killIfAlive(mainPid);
}

TEST_CASE("process: the tree of a guard killed outright is ended by a subreaping supervisor") {
  Scratch scratch;
  ProcessSupervisor supervisor(WDHOST_GUARD_PATH);
  REQUIRE(supervisor.collectOrphans());
  std::string daemon = scratch.file("daemon.pid");
  std::string child = scratch.file("child.pid");
  // A daemon (own session) and a plain child, as Chromium's crashpad handler and browser are.
  auto id = spawnOk(supervisor,
                    sh(startDaemon(daemon) + "(/bin/sh -c 'echo $$ > " + child + ".tmp; mv " +
                       child + ".tmp " + child + "; exec /bin/sleep 300' &); exec /bin/sleep 300"),
                    "owner");
  pid_t daemonPid = readPidFile(daemon);
  pid_t childPid = readPidFile(child);
  REQUIRE(daemonPid > 0);
  REQUIRE(childPid > 0);
  std::vector<pid_t> guards = supervisor.pidsOwnedBy("owner");
  REQUIRE(guards.size() == 1);
  // SIGKILL gives the guard no chance to end its tree: the supervisor must.
  ::kill(guards[0], SIGKILL);
  ProcessState state = finalState(supervisor, id);
  CHECK(state.kind == ProcessState::Signaled);
  CHECK(eventually(5s, [&] { return processGone(daemonPid) && processGone(childPid); }));
  CHECK(eventually(5s, [&] { return zombieChildCount() == 0; }));
  killIfAlive(daemonPid);
  killIfAlive(childPid);
}
