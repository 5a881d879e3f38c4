#include "proc_stats.h"

#include <cstdlib>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <map>
#include <sstream>
#include <unistd.h>

namespace check {
namespace {

// The whole of a /proc file, or "" when its process is gone (read(2): a process that ends while
// it is read makes an ifstream throw).
std::string procFile(const std::string& path) {
  std::string text;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return text;
  char buffer[4096];
  ssize_t got;
  while ((got = ::read(fd, buffer, sizeof buffer)) > 0)
    text.append(buffer, static_cast<std::size_t>(got));
  ::close(fd);
  if (got < 0)
    text.clear();
  return text;
}

std::size_t entriesIn(const char* dir) {
  std::size_t count = 0;
  if (DIR* d = opendir(dir)) {
    while (dirent* entry = readdir(d))
      if (entry->d_name[0] != '.')
        ++count;
    closedir(d);
  }
  return count;
}

// The state letter and parent pid of `pid` from /proc/PID/stat; false if it is gone.
bool readStat(const std::string& pid, char* state, pid_t* parent) {
  std::string text = procFile("/proc/" + pid + "/stat");
  std::size_t close = text.rfind(')');
  if (close == std::string::npos)
    return false;
  std::istringstream rest(text.substr(close + 1));
  long ppid = 0;
  rest >> *state >> ppid;
  *parent = static_cast<pid_t>(ppid);
  return static_cast<bool>(rest);
}

std::string commandLine(pid_t pid) {
  std::string text = procFile("/proc/" + std::to_string(pid) + "/cmdline");
  for (char& c : text)
    if (c == '\0')
      c = ' ';
  return text.size() > 80 ? text.substr(0, 80) + "..." : text;
}

} // namespace

std::size_t openFdCount() {
  // opendir itself holds one descriptor while counting.
  std::size_t count = entriesIn("/proc/self/fd");
  return count > 0 ? count - 1 : 0;
}

std::size_t threadCount() {
  return entriesIn("/proc/self/task");
}

std::vector<std::pair<pid_t, std::string>> liveDescendants() {
  std::multimap<pid_t, pid_t> children;
  std::map<pid_t, char> states;
  if (DIR* d = opendir("/proc")) {
    while (dirent* entry = readdir(d)) {
      if (entry->d_name[0] < '0' || entry->d_name[0] > '9')
        continue;
      char state = '?';
      pid_t parent = 0;
      if (!readStat(entry->d_name, &state, &parent))
        continue;
      pid_t pid = static_cast<pid_t>(std::atol(entry->d_name));
      children.emplace(parent, pid);
      states[pid] = state;
    }
    closedir(d);
  }
  std::vector<std::pair<pid_t, std::string>> out;
  std::vector<pid_t> pending = {getpid()};
  while (!pending.empty() && out.size() < 4096) {
    pid_t parent = pending.back();
    pending.pop_back();
    auto range = children.equal_range(parent);
    for (auto it = range.first; it != range.second; ++it) {
      pending.push_back(it->second);
      if (states[it->second] != 'Z' && states[it->second] != 'X')
        out.emplace_back(it->second, commandLine(it->second));
    }
  }
  return out;
}

std::string describePids(const std::vector<std::pair<pid_t, std::string>>& pids) {
  std::string text;
  for (const auto& [pid, command] : pids)
    text += (text.empty() ? "" : ", ") + std::to_string(pid) + " (" + command + ")";
  return text;
}

} // namespace check
