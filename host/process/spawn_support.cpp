// Small helpers for starting processes: executable checks and environment merging.
#include "process/spawn_support.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_map>

extern char** environ;

namespace wdh {

Status checkExecutable(const std::string& path, std::string_view what) {
  std::string subject = std::string(what) + " '" + path + "'";
  if (path.empty() || path[0] != '/') {
    return Status(ErrorCode::SessionNotCreated, subject + " is not an absolute path");
  }
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    int error = errno;
    return Status(ErrorCode::SessionNotCreated,
                  subject + (error == ENOENT ? " does not exist" : " cannot be inspected: ") +
                      (error == ENOENT ? "" : std::strerror(error)));
  }
  if (!S_ISREG(info.st_mode)) {
    return Status(ErrorCode::SessionNotCreated, subject + " is not a regular file");
  }
  if (::access(path.c_str(), X_OK) != 0) {
    return Status(ErrorCode::SessionNotCreated, subject + " is not executable");
  }
  return Status::ok();
}

Status mergeEnvironment(const EnvironmentAllowlist& allowed,
                        const std::vector<std::string>& overrides, std::vector<std::string>* out,
                        bool inherit) {
  std::vector<std::string> merged;
  std::unordered_map<std::string, size_t> index; // NAME -> position in merged
  auto put = [&](std::string entry) {
    std::string name = entry.substr(0, entry.find('='));
    auto found = index.find(name);
    if (found != index.end()) {
      merged[found->second] = std::move(entry);
    } else {
      index.emplace(std::move(name), merged.size());
      merged.push_back(std::move(entry));
    }
  };
  for (char** entry = environ; inherit && entry != nullptr && *entry != nullptr; ++entry) {
    const char* equals = std::strchr(*entry, '=');
    if (equals != nullptr &&
        allowed.allows(std::string_view(*entry, static_cast<std::size_t>(equals - *entry)))) {
      put(*entry);
    }
  }
  for (const std::string& entry : overrides) {
    size_t equals = entry.find('=');
    if (equals == std::string::npos || equals == 0 || entry.find('\0') != std::string::npos) {
      return Status(ErrorCode::InvalidArgument,
                    "environment entry must look like NAME=value: '" + entry + "'");
    }
    put(entry);
  }
  *out = std::move(merged);
  return Status::ok();
}

int moveFdAtLeast(int fd, int minFd) noexcept {
  if (fd < 0 || fd >= minFd) {
    return fd;
  }
  int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, minFd);
  ::close(fd);
  return moved;
}

Status spawnInGroup(const std::string& guardPath, std::vector<std::string> args,
                    std::vector<std::string> environment, int lifelineFd, int lifelineTarget,
                    pid_t* pid, UniqueFd* output, int stdinFd, int passFd, int passTarget) {
  std::vector<char*> argPtrs;
  for (std::string& arg : args) {
    argPtrs.push_back(arg.data());
  }
  argPtrs.push_back(nullptr);
  std::vector<char*> envPtrs;
  for (std::string& entry : environment) {
    envPtrs.push_back(entry.data());
  }
  envPtrs.push_back(nullptr);

  int pipeFds[2];
  if (::pipe2(pipeFds, O_CLOEXEC) != 0) {
    return Status(ErrorCode::SessionNotCreated,
                  std::string("cannot create an output pipe: ") + std::strerror(errno));
  }
  // Above 2 so that the dup2 calls onto 1 and 2 never start from 0, 1 or 2.
  UniqueFd readEnd(moveFdAtLeast(pipeFds[0], 3));
  UniqueFd writeEnd(moveFdAtLeast(pipeFds[1], 3));
  if (readEnd.get() < 0 || writeEnd.get() < 0 || ::fcntl(readEnd.get(), F_SETFL, O_NONBLOCK) != 0) {
    return Status(ErrorCode::SessionNotCreated,
                  std::string("cannot set up an output pipe: ") + std::strerror(errno));
  }

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  if (::posix_spawn_file_actions_init(&actions) != 0) {
    return Status(ErrorCode::SessionNotCreated, "cannot set up posix_spawn");
  }
  if (::posix_spawnattr_init(&attr) != 0) {
    ::posix_spawn_file_actions_destroy(&actions);
    return Status(ErrorCode::SessionNotCreated, "cannot set up posix_spawn");
  }
  // Order matters: if the write end is lifelineTarget, it is used before being replaced.
  if (stdinFd > 2)
    ::posix_spawn_file_actions_adddup2(&actions, stdinFd, 0);
  else
    ::posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_adddup2(&actions, writeEnd.get(), 1);
  ::posix_spawn_file_actions_adddup2(&actions, writeEnd.get(), 2);
  if (lifelineFd >= 0) {
    ::posix_spawn_file_actions_adddup2(&actions, lifelineFd, lifelineTarget);
  }
  if (passFd >= 0) {
    ::posix_spawn_file_actions_adddup2(&actions, passFd, passTarget);
  }
  sigset_t none;
  sigset_t all;
  ::sigemptyset(&none);
  ::sigfillset(&all);
  short flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  ::posix_spawnattr_setflags(&attr, flags);
  ::posix_spawnattr_setpgroup(&attr, 0);
  ::posix_spawnattr_setsigmask(&attr, &none);
  ::posix_spawnattr_setsigdefault(&attr, &all);
  pid_t child = -1;
  int rc =
      ::posix_spawn(&child, guardPath.c_str(), &actions, &attr, argPtrs.data(), envPtrs.data());
  ::posix_spawn_file_actions_destroy(&actions);
  ::posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return Status(ErrorCode::SessionNotCreated,
                  "cannot start '" + guardPath + "': " + std::strerror(rc));
  }
  *pid = child;
  *output = std::move(readEnd);
  return Status::ok();
}

} // namespace wdh
