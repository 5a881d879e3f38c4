#include "metrics/process_figures.h"

#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <string>

namespace wdh {

namespace {

// VmRSS from the /proc status file at `path`, in bytes; 0 when it has none.
std::size_t residentBytesIn(const std::string& path) {
  std::ifstream status(path);
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0)
      return std::strtoul(line.c_str() + 6, nullptr, 10) * 1024; // "  1234 kB"
  return 0;
}

} // namespace

std::size_t residentBytesOf(unsigned long pid) {
  return pid == 0 ? 0 : residentBytesIn("/proc/" + std::to_string(pid) + "/status");
}

ProcessFigures readOwnFigures() {
  ProcessFigures figures;
  figures.residentBytes = residentBytesIn("/proc/self/status");
  if (DIR* dir = opendir("/proc/self/fd")) {
    while (dirent* entry = readdir(dir))
      if (entry->d_name[0] != '.')
        ++figures.openFiles;
    closedir(dir);
    if (figures.openFiles > 0)
      --figures.openFiles; // the directory stream itself
  }
  return figures;
}

} // namespace wdh
