#include "recording/session_log.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <unistd.h>

namespace wdh {
namespace {

constexpr std::size_t kMaxText = 64 * 1024;

} // namespace

std::string logTimestamp() {
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[40];
  std::size_t used = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(stamp + used, sizeof stamp - used, ".%03dZ", static_cast<int>(millis));
  return stamp;
}

namespace {

// Appends `text` with control characters (but tab) as \xNN: one log line stays one line.
void appendShown(std::string_view text, std::string* out) {
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 && c != '\t') {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      *out += escaped;
    } else {
      out->push_back(c);
    }
  }
}

bool writeAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

} // namespace

Status SessionLog::create(const std::string& path, std::unique_ptr<SessionLog>* out) {
  int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return Status(ErrorCode::UnknownError,
                  "cannot create " + path + ": " + std::string(std::strerror(errno)));
  out->reset(new SessionLog(fd));
  return Status::ok();
}

SessionLog::~SessionLog() {
  close();
}

void SessionLog::write(std::string_view source, std::string_view text) {
  if (text.size() > kMaxText)
    text = text.substr(0, kMaxText);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
    text.remove_suffix(1);
  std::string stamp = logTimestamp();
  std::string lines;
  std::size_t begin = 0;
  for (;;) {
    std::size_t end = text.find('\n', begin);
    std::string_view line = text.substr(begin, end == std::string_view::npos ? end : end - begin);
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    lines += stamp;
    lines += ' ';
    lines += source;
    lines += ' ';
    appendShown(line, &lines);
    lines += '\n';
    if (end == std::string_view::npos)
      break;
    begin = end + 1;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (fd_ < 0 || full_)
    return;
  if (written_ + lines.size() > kMaxBytes) {
    full_ = true;
    lines = stamp + " host this log reached " + std::to_string(kMaxBytes >> 20) +
            " MiB; what follows is not kept\n";
  }
  // A disk that is full loses this line, not the log: space may come back (a failed video's
  // file is removed) and the session's later lines with it.
  if (writeAll(fd_, lines))
    written_ += lines.size();
}

std::uint64_t SessionLog::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return written_;
}

void SessionLog::close() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = -1;
}

} // namespace wdh
