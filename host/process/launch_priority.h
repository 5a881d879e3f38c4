// The CPU and I/O priority of a process tree: idle for browsers started ahead, so that their
// launch takes only what running sessions leave, and normal again when one is handed over.
// Idle CPU is the SCHED_IDLE policy, not a nice value: Chromium sets its threads' nice values
// itself (to 0, or -8 where it may), which would undo a nice of 19, but it leaves the policy.
#pragma once

#include <cstddef>
#include <sys/types.h>

namespace wdh {

// A thread's scheduling, as the kernel reports it.
struct ThreadPriority {
  int policy = 0;  // SCHED_OTHER, SCHED_IDLE, ...
  int nice = 0;    // its nice value, -20..19
  int ioClass = 0; // its I/O class: 0 none, 1 real time, 2 best effort, 3 idle
};

// What to give a tree.
struct TreePriority {
  bool idleCpu = false; // SCHED_IDLE (else SCHED_OTHER for threads that were SCHED_IDLE)
  bool idleIo = false;  // the idle I/O class (else none: I/O follows the CPU nice)
};

// The scheduling of thread `tid` now; false when it is gone.
bool threadPriority(pid_t tid, ThreadPriority* out) noexcept;

// True when this process may take a thread of its own out of SCHED_IDLE again after putting it
// there (root, CAP_SYS_NICE or RLIMIT_NICE allows it); found by trying on a thread of its own.
bool canLeaveIdle() noexcept;

// Gives `priority` to every thread of `root` and of its descendants (read from /proc),
// repeating until a pass changes nothing (at most a few passes): a thread started meanwhile
// inherits the policy of the one that started it. Threads on a real-time policy, and processes
// that end meanwhile, are left alone. Returns the threads changed.
std::size_t setTreePriority(pid_t root, const TreePriority& priority) noexcept;

} // namespace wdh
