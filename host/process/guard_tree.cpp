// Helpers of wdhost-guard: finding a process's descendants in /proc and closing inherited fds.
#include "process/guard_tree.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <unordered_map>

namespace wdh {
namespace {

// Parses a decimal pid; false unless the whole text is digits.
bool parsePid(std::string_view text, pid_t* out) {
  if (text.empty() || text.size() > 9) {
    return false;
  }
  long value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return false;
    }
    value = value * 10 + (c - '0');
  }
  *out = static_cast<pid_t>(value);
  return true;
}

// Reads /proc/<pid>/stat; false when the process is gone.
bool readStat(pid_t pid, ProcInfo* out) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return false;
  }
  char buffer[1024];
  ssize_t n = -1;
  for (int attempt = 0; attempt < 100; ++attempt) {
    n = ::read(fd, buffer, sizeof buffer);
    if (n >= 0 || errno != EINTR) {
      break;
    }
  }
  ::close(fd);
  if (n <= 0) {
    return false;
  }
  return parseProcStat(std::string_view(buffer, static_cast<size_t>(n)), out);
}

} // namespace

bool parseProcStat(std::string_view text, ProcInfo* out) {
  // "pid (comm) S ppid pgrp ..."; comm may contain spaces and ')'.
  size_t open = text.find('(');
  size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return false;
  }
  std::string_view pidText = text.substr(0, open);
  while (!pidText.empty() && pidText.back() == ' ') {
    pidText.remove_suffix(1);
  }
  std::string_view rest = text.substr(close + 1);
  // rest = " S ppid ..."
  if (rest.size() < 4 || rest[0] != ' ' || rest[2] != ' ') {
    return false;
  }
  ProcInfo info;
  info.state = rest[1];
  rest.remove_prefix(3);
  size_t end = rest.find(' ');
  if (!parsePid(pidText, &info.pid) || !parsePid(rest.substr(0, end), &info.ppid)) {
    return false;
  }
  *out = info;
  return true;
}

std::vector<ProcInfo> findDescendants(pid_t root) {
  std::vector<ProcInfo> all;
  if (DIR* dir = ::opendir("/proc")) {
    // Bounded by the number of entries in /proc.
    while (struct dirent* entry = ::readdir(dir)) {
      pid_t pid = 0;
      ProcInfo info;
      if (parsePid(entry->d_name, &pid) && readStat(pid, &info)) {
        all.push_back(info);
      }
    }
    ::closedir(dir);
  }
  std::unordered_multimap<pid_t, size_t> byParent;
  for (size_t i = 0; i < all.size(); ++i) {
    byParent.emplace(all[i].ppid, i);
  }
  std::vector<ProcInfo> found;
  std::vector<pid_t> queue{root};
  // Each process is visited at most once: a pid has one parent, so the walk is a tree.
  for (size_t next = 0; next < queue.size() && next <= all.size(); ++next) {
    auto range = byParent.equal_range(queue[next]);
    for (auto it = range.first; it != range.second; ++it) {
      const ProcInfo& child = all[it->second];
      if (child.pid != root) {
        found.push_back(child);
        queue.push_back(child.pid);
      }
    }
  }
  return found;
}

void closeFdsExcept(int keep, int alsoKeep) {
  std::vector<int> kept;
  for (int fd : {keep, alsoKeep})
    if (fd >= 3)
      kept.push_back(fd);
  std::sort(kept.begin(), kept.end());
#ifdef SYS_close_range
  bool done = true;
  unsigned from = 3;
  for (int fd : kept) {
    if (done && static_cast<unsigned>(fd) > from)
      done = ::syscall(SYS_close_range, from, static_cast<unsigned>(fd - 1), 0u) == 0;
    from = static_cast<unsigned>(fd) + 1;
  }
  if (done && from != 0u)
    done = ::syscall(SYS_close_range, from, ~0u, 0u) == 0;
  if (done) {
    return;
  }
#endif
  auto isKept = [&](int fd) { return std::find(kept.begin(), kept.end(), fd) != kept.end(); };
  std::vector<int> fds;
  if (DIR* dir = ::opendir("/proc/self/fd")) {
    int own = ::dirfd(dir);
    while (struct dirent* entry = ::readdir(dir)) {
      pid_t fd = 0;
      if (parsePid(entry->d_name, &fd) && fd >= 3 && !isKept(fd) && fd != own) {
        fds.push_back(fd);
      }
    }
    ::closedir(dir);
  } else {
    // No /proc: close a generous fixed range.
    for (int fd = 3; fd < 4096; ++fd) {
      if (!isKept(fd)) {
        fds.push_back(fd);
      }
    }
  }
  for (int fd : fds) {
    ::close(fd);
  }
}

} // namespace wdh
