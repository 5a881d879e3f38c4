#include "process/launch_priority.h"

#include "process/guard_tree.h"

#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <string>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace wdh {
namespace {

// ioprio_set(2)/ioprio_get(2) (glibc has no wrappers); see linux/ioprio.h.
constexpr int kIoprioWhoProcess = 1;
constexpr int kIoprioClassShift = 13;
constexpr int kIoprioClassIdle = 3;
constexpr int kMaxPasses = 4;

int ioprioGet(pid_t tid) noexcept {
#ifdef SYS_ioprio_get
  return static_cast<int>(::syscall(SYS_ioprio_get, kIoprioWhoProcess, tid));
#else
  (void)tid;
  return -1;
#endif
}

bool ioprioSet(pid_t tid, int value) noexcept {
#ifdef SYS_ioprio_set
  return ::syscall(SYS_ioprio_set, kIoprioWhoProcess, tid, value) == 0;
#else
  (void)tid;
  (void)value;
  return false;
#endif
}

// The threads of process `pid` now (none when it is gone).
std::vector<pid_t> threadsOf(pid_t pid) {
  std::vector<pid_t> tids;
  std::string path = "/proc/" + std::to_string(pid) + "/task";
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr)
    return tids;
  while (dirent* entry = ::readdir(dir)) {
    char* end = nullptr;
    long tid = std::strtol(entry->d_name, &end, 10);
    if (end != entry->d_name && *end == '\0' && tid > 0)
      tids.push_back(static_cast<pid_t>(tid));
  }
  ::closedir(dir);
  return tids;
}

// Adds the children thread `tid` of `pid` started (/proc/<pid>/task/<tid>/children, kept by
// kernels with CONFIG_PROC_CHILDREN); nothing when the thread is gone.
void addChildren(pid_t pid, pid_t tid, std::vector<pid_t>* out) {
  std::string path = "/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/children";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  std::string text;
  char buffer[512];
  ssize_t got;
  while ((got = ::read(fd, buffer, sizeof buffer)) > 0)
    text.append(buffer, static_cast<std::size_t>(got));
  ::close(fd);
  const char* at = text.c_str();
  char* end = nullptr;
  for (long child = std::strtol(at, &end, 10); end != at; child = std::strtol(at, &end, 10)) {
    out->push_back(static_cast<pid_t>(child));
    at = end;
  }
}

// Every process of the tree under `root`, root first: from the threads' children lists, which
// read only the tree, or from a scan of all /proc where the kernel keeps none.
std::vector<pid_t> treeOf(pid_t root) {
  static const bool listsChildren = ::access("/proc/thread-self/children", R_OK) == 0;
  std::vector<pid_t> tree = {root};
  if (listsChildren) {
    for (std::size_t next = 0; next < tree.size() && tree.size() < 100000; ++next)
      for (pid_t tid : threadsOf(tree[next]))
        addChildren(tree[next], tid, &tree);
    return tree;
  }
  for (const ProcInfo& info : findDescendants(root))
    if (info.state != 'Z')
      tree.push_back(info.pid);
  return tree;
}

// Gives `priority` to thread `tid` where it has another; true when something changed.
bool setThread(pid_t tid, const TreePriority& priority) noexcept {
  ThreadPriority now;
  if (!threadPriority(tid, &now))
    return false; // gone
  bool changed = false;
  sched_param none{};
  if (priority.idleCpu && (now.policy == SCHED_OTHER || now.policy == SCHED_BATCH)) {
    changed |= ::sched_setscheduler(tid, SCHED_IDLE, &none) == 0;
  } else if (!priority.idleCpu && now.policy == SCHED_IDLE) {
    // Its nice value is kept: what the program set for the thread holds again.
    changed |= ::sched_setscheduler(tid, SCHED_OTHER, &none) == 0;
  }
  if (priority.idleIo != (now.ioClass == kIoprioClassIdle))
    changed |= ioprioSet(tid, priority.idleIo ? kIoprioClassIdle << kIoprioClassShift : 0);
  return changed;
}

} // namespace

bool threadPriority(pid_t tid, ThreadPriority* out) noexcept {
  int policy = ::sched_getscheduler(tid);
  if (policy < 0)
    return false;
  errno = 0;
  int nice = ::getpriority(PRIO_PROCESS, static_cast<id_t>(tid));
  if (nice == -1 && errno != 0)
    return false;
  int io = ioprioGet(tid);
  out->policy = policy & ~SCHED_RESET_ON_FORK;
  out->nice = nice;
  out->ioClass = io < 0 ? 0 : io >> kIoprioClassShift;
  return true;
}

bool canLeaveIdle() noexcept {
  bool left = false;
  try {
    // On a thread of its own: the policy is per thread, so the host's others are never touched.
    std::thread probe([&] {
      sched_param none{};
      if (::sched_setscheduler(0, SCHED_IDLE, &none) == 0)
        left = ::sched_setscheduler(0, SCHED_OTHER, &none) == 0;
    });
    probe.join();
  } catch (...) {
    return false;
  }
  return left;
}

std::size_t setTreePriority(pid_t root, const TreePriority& priority) noexcept {
  std::size_t changed = 0;
  try {
    for (int pass = 0; pass < kMaxPasses; ++pass) {
      std::size_t before = changed;
      // The root first: what it starts from now on inherits the new priority.
      for (pid_t pid : treeOf(root))
        for (pid_t tid : threadsOf(pid))
          if (setThread(tid, priority))
            ++changed;
      if (changed == before)
        break;
    }
  } catch (...) {
    // Out of memory while listing: what was changed stays changed.
  }
  return changed;
}

} // namespace wdh
