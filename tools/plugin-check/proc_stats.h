// What this process holds right now, read from /proc: descriptors, threads, descendants.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <sys/types.h>
#include <vector>

namespace check {

// Number of open file descriptors (entries of /proc/self/fd).
std::size_t openFdCount();

// Number of threads (entries of /proc/self/task).
std::size_t threadCount();

// Pids of every live (non-zombie) descendant of this process, with their command lines.
std::vector<std::pair<pid_t, std::string>> liveDescendants();

// "1234 (cmd), 5678 (cmd)" for a failure message.
std::string describePids(const std::vector<std::pair<pid_t, std::string>>& pids);

// Polls `count` every 20 ms until it returns `wanted` or `timeout` passes; the last count.
template <class Count>
std::size_t settleTo(Count count, std::size_t wanted, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t now = count();
  while (now != wanted && std::chrono::steady_clock::now() < deadline) {
    struct timespec pause = {0, 20 * 1000 * 1000};
    nanosleep(&pause, nullptr);
    now = count();
  }
  return now;
}

} // namespace check
