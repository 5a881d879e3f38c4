#include "recording/log_follower.h"

#include "http/websocket.h"

#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace wdh {
namespace {

constexpr int kPollMs = 200;                    // how often a growing log is read again
constexpr std::size_t kChunk = 64 * 1024;       // read at once from the log
constexpr std::size_t kLongestLine = 64 * 1024; // a longer line is sent in pieces

} // namespace

LogFollower::LogFollower(std::string path, std::function<bool()> written, UniqueFd socket)
    : path_(std::move(path)), written_(std::move(written)), socket_(std::move(socket)) {
  thread_ = std::thread([this] { run(); });
}

LogFollower::~LogFollower() {
  stop();
  if (thread_.joinable())
    thread_.join();
}

bool LogFollower::send(const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(socket_.get(), bytes.data() + sent, bytes.size() - sent,
                       MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
      return false;
    if (stop_.load() || !clientStillThere())
      return false;
    pollfd wait{socket_.get(), POLLOUT, 0};
    ::poll(&wait, 1, kPollMs);
  }
  return true;
}

bool LogFollower::clientStillThere() {
  FrameScanner scanner;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::recv(socket_.get(), buffer, sizeof buffer, MSG_DONTWAIT);
    if (n > 0) {
      scanner.feed(buffer, static_cast<std::size_t>(n));
      if (scanner.sawClose())
        return false;
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
}

void LogFollower::run() {
  UniqueFd file(::open(path_.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  std::uint64_t offset = 0;
  std::string pending; // a line not yet ended
  std::uint16_t code = 1000;
  std::string why = "the session ended: its log is whole";
  bool gone = file.get() < 0;
  if (gone) {
    code = 1011;
    why = "the log cannot be read";
  }
  while (!gone) {
    if (stop_.load()) {
      code = 1001;
      why = "the host is shutting down";
      break;
    }
    bool stillWritten = written_();
    // Read what was added, then send each whole line (a long one in pieces).
    std::string chunk(kChunk, '\0');
    ssize_t n = ::pread(file.get(), chunk.data(), chunk.size(), static_cast<off_t>(offset));
    if (n > 0) {
      offset += static_cast<std::uint64_t>(n);
      pending.append(chunk.data(), static_cast<std::size_t>(n));
      std::size_t start = 0;
      for (std::size_t end; (end = pending.find('\n', start)) != std::string::npos; start = end + 1)
        if (!send(textFrame(std::string_view(pending).substr(start, end - start)))) {
          gone = true;
          break;
        }
      pending.erase(0, start);
      if (!gone && pending.size() > kLongestLine) {
        gone = !send(textFrame(pending));
        pending.clear();
      }
      continue; // more may be there already
    }
    if (!stillWritten) {
      if (!pending.empty())
        send(textFrame(pending));
      break;
    }
    if (!clientStillThere())
      gone = true;
    else {
      pollfd wait{socket_.get(), POLLIN, 0};
      ::poll(&wait, 1, kPollMs);
    }
  }
  if (!gone || code != 1000)
    send(closeFrame(code, why));
  // The client answers the close; then both ends close (bounded).
  for (int i = 0; i < 10 && clientStillThere(); ++i) {
    pollfd wait{socket_.get(), POLLIN, 0};
    ::poll(&wait, 1, 100);
  }
  socket_.reset();
  done_.store(true);
}

} // namespace wdh
