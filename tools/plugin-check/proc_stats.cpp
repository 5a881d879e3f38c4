#include "proc_stats.h"

#include <cstdlib>
#include <ctime>
#include <dirent.h>
#include <fstream>
#include <map>
#include <sstream>
#include <unistd.h>

namespace check {
namespace {

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
  std::ifstream file("/proc/" + pid + "/stat");
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
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
  std::ifstream file("/proc/" + std::to_string(pid) + "/cmdline");
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
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
