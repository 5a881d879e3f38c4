// Reading /proc for tests: a process may end at any moment, and its files then vanish or fail
// to read (ESRCH, ENOENT) part-way through. Every reader here treats that as "gone", never as an
// error: nothing throws (std::ifstream's buffer throws on a read error; these use read(2)).
#pragma once

#include <cerrno>
#include <fcntl.h>
#include <string>
#include <unistd.h>

namespace wdhtest {

// The whole of `path` (a /proc file) into *out; false when it cannot be opened or read in full
// (the process is gone), with *out cleared.
inline bool readProcFile(const std::string& path, std::string* out) {
  out->clear();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  char buffer[4096];
  bool ok = true;
  for (;;) {
    ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got > 0) {
      out->append(buffer, static_cast<std::size_t>(got));
    } else if (got < 0 && errno == EINTR) {
      continue;
    } else {
      ok = got == 0;
      break;
    }
  }
  ::close(fd);
  if (!ok)
    out->clear();
  return ok;
}

// The value of field `name` ("Threads:", "VmRSS:") in /proc/<pid>/status as a number, or -1
// when the process is gone or has no such field.
inline long procStatusField(int pid, const std::string& name) {
  std::string text;
  if (!readProcFile("/proc/" + std::to_string(pid) + "/status", &text))
    return -1;
  std::size_t at = text.find("\n" + name);
  if (at == std::string::npos)
    return -1;
  try {
    return std::stol(text.substr(at + 1 + name.size()));
  } catch (...) {
    return -1;
  }
}

} // namespace wdhtest
