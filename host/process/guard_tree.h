// Helpers of wdhost-guard: finding a process's descendants in /proc and closing inherited fds.
#pragma once

#include <string_view>
#include <sys/types.h>
#include <vector>

namespace wdh {

// One process as seen in /proc/<pid>/stat.
struct ProcInfo {
  pid_t pid = 0;
  pid_t ppid = 0;
  char state = '?'; // 'R', 'S', 'Z', ...
};

// Parses the text of /proc/<pid>/stat (ppid and state follow the last ')'); false if malformed.
bool parseProcStat(std::string_view text, ProcInfo* out);

// Every process whose parent chain leads to `root` (root itself excluded, zombies included).
std::vector<ProcInfo> findDescendants(pid_t root);

// Closes every file descriptor >= 3 except `keep` and `alsoKeep` (-1: none) (close_range, else
// /proc/self/fd).
void closeFdsExcept(int keep, int alsoKeep = -1);

} // namespace wdh
