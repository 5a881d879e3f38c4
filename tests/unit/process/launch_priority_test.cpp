// Browsers started ahead run at idle priority until handed over: a tree spawned for a background
// owner ("warm-...") has every thread on the SCHED_IDLE policy (where the host may take it back
// out) and in the idle I/O class, whatever nice values its programs set themselves; its
// hand-over (reassignOwner, setOwner) gives every thread the normal policy again, its own nice
// value kept. Read from the kernel for each thread, never inferred from timing.
#include "process/guard_tree.h"
#include "process/launch_priority.h"
#include "process/process_supervisor.h"

#include <dirent.h>
#include <doctest/doctest.h>
#include <sched.h>
#include <string>
#include <vector>

using namespace wdh;
using namespace std::chrono_literals;

namespace {

constexpr int kIdleClass = 3;

// Every thread of `root` and its descendants.
std::vector<pid_t> treeThreads(pid_t root) {
  std::vector<pid_t> pids = {root};
  for (const ProcInfo& info : findDescendants(root))
    pids.push_back(info.pid);
  std::vector<pid_t> tids;
  for (pid_t pid : pids) {
    DIR* dir = opendir(("/proc/" + std::to_string(pid) + "/task").c_str());
    if (dir == nullptr)
      continue;
    while (dirent* entry = readdir(dir))
      if (entry->d_name[0] != '.')
        tids.push_back(static_cast<pid_t>(std::atoi(entry->d_name)));
    closedir(dir);
  }
  return tids;
}

// How the threads of a tree are scheduled.
struct Census {
  std::size_t threads = 0;
  std::size_t cpuIdle = 0; // on SCHED_IDLE
  std::size_t ioIdle = 0;  // in the idle I/O class
  std::size_t reniced = 0; // at nice 5 (what the tree's shell set itself)
};
Census census(pid_t root) {
  Census out;
  for (pid_t tid : treeThreads(root)) {
    ThreadPriority now;
    if (!threadPriority(tid, &now))
      continue;
    ++out.threads;
    out.cpuIdle += now.policy == SCHED_IDLE ? 1 : 0;
    out.ioIdle += now.ioClass == kIdleClass ? 1 : 0;
    out.reniced += now.nice == 5 ? 1 : 0;
  }
  return out;
}

// A tree of three processes (guard, shell, sleep) for `owner`, whose shell sets its own nice to
// 5 first, as Chromium sets its threads'; returns the guard's pid.
pid_t spawnTree(ProcessSupervisor& supervisor, const std::string& owner,
                ProcessSupervisor::Id* id) {
  REQUIRE(supervisor
              .spawn({"/bin/sh", "-c",
                      "renice -n 5 -p $$ >/dev/null; /bin/sleep 300 & echo ready; "
                      "wait"},
                     {}, owner, id)
              .isOk());
  REQUIRE(supervisor.waitOutput(*id, "ready", 10s, nullptr) ==
          ProcessSupervisor::WaitResult::Found);
  std::vector<pid_t> guards = supervisor.pidsOwnedBy(owner);
  REQUIRE(guards.size() == 1);
  return guards[0];
}

} // namespace

TEST_CASE("launch priority: a warm tree runs idle until handed over, then as it set itself") {
  ProcessSupervisor supervisor(WDHOST_GUARD_PATH);
  bool cpu = supervisor.runInBackground("warm-");
  if (!cpu)
    MESSAGE("this process may not take a thread out of SCHED_IDLE: only I/O is checked");
  ProcessSupervisor::Id id = 0;
  pid_t guard = spawnTree(supervisor, "warm-1", &id);
  Census started = census(guard);
  CHECK(started.threads >= 3);
  CHECK(started.cpuIdle == (cpu ? started.threads : 0));
  CHECK(started.ioIdle == started.threads);
  CHECK(started.reniced == 2); // the shell, and the sleep it started after: a nice is no escape

  // The hand-over: every thread is back on the normal policy at once, its own nice kept.
  CHECK(supervisor.reassignOwner("warm-1", "session-1") == 1);
  Census handed = census(guard);
  CHECK(handed.cpuIdle == 0);
  CHECK(handed.ioIdle == 0);
  CHECK(handed.reniced == 2);

  // An owner set one process at a time (a driver started ahead, adopted by a warm launch).
  CHECK(supervisor.setOwner(id, "warm-2"));
  CHECK(census(guard).cpuIdle == (cpu ? handed.threads : 0));
  CHECK(census(guard).ioIdle == handed.threads);
  CHECK(supervisor.setOwner(id, "session-2"));
  CHECK(census(guard).cpuIdle == 0);
  CHECK(census(guard).ioIdle == 0);
  supervisor.terminate(id, 2s);
}

TEST_CASE("launch priority: a launch someone waits for is hurried, for good") {
  ProcessSupervisor supervisor(WDHOST_GUARD_PATH);
  supervisor.runInBackground("warm-");
  ProcessSupervisor::Id id = 0;
  pid_t guard = spawnTree(supervisor, "warm-1", &id);
  CHECK(census(guard).ioIdle == census(guard).threads);
  CHECK(supervisor.hurryBackground() == 1);
  CHECK(census(guard).cpuIdle == 0);
  CHECK(census(guard).ioIdle == 0);
  // Adopted again under a placeholder id (as a launch does): still not in the background.
  CHECK(supervisor.setOwner(id, "warm-2"));
  CHECK(census(guard).ioIdle == 0);
  CHECK(supervisor.hurryBackground() == 0);
  supervisor.terminate(id, 2s);
}

TEST_CASE("launch priority: other owners, and a host that turned it off, keep their priority") {
  ProcessSupervisor supervisor(WDHOST_GUARD_PATH);
  ProcessSupervisor::Id id = 0;
  pid_t before = spawnTree(supervisor, "warm-before", &id);
  CHECK(census(before).ioIdle == 0); // nothing runs in the background yet
  supervisor.runInBackground("warm-");
  // Turned on later: a tree already running for such an owner goes idle too.
  CHECK(census(before).ioIdle == census(before).threads);
  ProcessSupervisor::Id other = 0;
  pid_t session = spawnTree(supervisor, "session-x", &other);
  CHECK(census(session).cpuIdle == 0);
  CHECK(census(session).ioIdle == 0);
  supervisor.runInBackground(""); // off: every tree as it was
  CHECK(census(before).cpuIdle == 0);
  CHECK(census(before).ioIdle == 0);
}

TEST_CASE("launch priority: a root that is gone changes nothing") {
  CHECK(setTreePriority(999999999, TreePriority{true, true}) == 0);
  ThreadPriority none;
  CHECK_FALSE(threadPriority(999999999, &none));
}
