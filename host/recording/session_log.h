// One session's log file: the host's command log, its driver's output and its browser's console,
// a line each, stamped with the time and where the line came from; kept beside its video.
#pragma once

#include "core/status.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace wdh {

// The time a log line starts with: UTC with milliseconds ("2026-12-07T12:00:00.123Z").
std::string logTimestamp();

// Thread-safe: any thread may write; writes after close() are dropped.
class SessionLog {
public:
  // The most a log file grows to; past it one line says so and the rest is dropped.
  static constexpr std::uint64_t kMaxBytes = 64u << 20;

  // Creates `path` (0600, never an existing file or a link); UnknownError naming the cause.
  static Status create(const std::string& path, std::unique_ptr<SessionLog>* out);
  // close()
  ~SessionLog();
  SessionLog(const SessionLog&) = delete;
  SessionLog& operator=(const SessionLog&) = delete;

  // Appends `text` as lines "TIME SOURCE text" (each of its lines, control characters but tab
  // shown as \xNN, at most 64 KiB of it); `source` is "host", "driver", "console", ....
  void write(std::string_view source, std::string_view text);
  // Bytes written so far.
  std::uint64_t size() const;
  // Closes the file; later writes are dropped.
  void close();

private:
  explicit SessionLog(int fd) : fd_(fd) {}
  mutable std::mutex mutex_;
  int fd_ = -1;
  std::uint64_t written_ = 0;
  bool full_ = false;
};

} // namespace wdh
