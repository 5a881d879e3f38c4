#include "proxy/pump_loop.h"

#include "core/log.h"

#include <cerrno>
#include <cstring>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace wdh::proxy {
namespace {

constexpr std::size_t kBufferLimit = 64 * 1024;

// One direction: bytes read from `from`, not yet written to `to`.
struct Pipe {
  int from = -1;
  int to = -1;
  std::string pending;
  std::size_t offset = 0;
  bool eof = false;  // `from` ended
  bool done = false; // ended and everything delivered (and `to` half-closed)
  bool failed = false;

  std::size_t buffered() const { return pending.size() - offset; }
  bool wantsRead() const { return !eof && buffered() < kBufferLimit; }

  // Reads what `from` has (up to the buffer's room); bytes read.
  std::size_t pull() {
    std::size_t total = 0;
    char buf[16 * 1024];
    while (wantsRead()) {
      std::size_t room = kBufferLimit - buffered();
      ssize_t n = ::recv(from, buf, room < sizeof buf ? room : sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        if (offset > 0 && offset == pending.size()) {
          pending.clear();
          offset = 0;
        }
        pending.append(buf, static_cast<std::size_t>(n));
        total += static_cast<std::size_t>(n);
        continue;
      }
      if (n == 0)
        eof = true;
      else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        failed = true;
      break;
    }
    return total;
  }

  // Writes what `to` takes; bytes written.
  std::size_t push() {
    std::size_t total = 0;
    while (buffered() > 0) {
      ssize_t n = ::send(to, pending.data() + offset, buffered(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        offset += static_cast<std::size_t>(n);
        total += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        failed = true;
      break;
    }
    if (offset == pending.size()) {
      pending.clear();
      offset = 0;
    }
    return total;
  }

  void settle() {
    if (eof && buffered() == 0 && !done) {
      ::shutdown(to, SHUT_WR);
      done = true;
    }
  }
};

} // namespace

struct PumpLoop::Pair {
  std::uint64_t id = 0; // its epoll registrations carry id * 2 (+ 1 for the server side)
  int client = -1;
  int server = -1;
  Pipe up;   // client -> server
  Pipe down; // server -> client
  std::chrono::steady_clock::time_point lastActivity = std::chrono::steady_clock::now();
  bool registered = false;

  bool finished() const { return up.failed || down.failed || down.done || (up.done && down.done); }
};

PumpLoop::PumpLoop(std::chrono::milliseconds idle) : idle_(idle) {}

PumpLoop::~PumpLoop() {
  stop();
}

bool PumpLoop::start() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = false; // a loop stopped before may start again
  }
  epoll_ = epoll_create1(EPOLL_CLOEXEC);
  wake_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (epoll_ < 0 || wake_ < 0)
    return false;
  epoll_event wake{};
  wake.events = EPOLLIN;
  wake.data.u64 = 0; // pairs' ids start at 1
  if (epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &wake) != 0)
    return false;
  thread_ = std::thread(&PumpLoop::run, this);
  return true;
}

bool PumpLoop::adopt(int client, int server, std::string toServer, std::string toClient) {
  auto pair = std::make_unique<Pair>();
  pair->client = client;
  pair->server = server;
  pair->up.from = client;
  pair->up.to = server;
  pair->up.pending = std::move(toServer);
  pair->down.from = server;
  pair->down.to = client;
  pair->down.pending = std::move(toClient);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!stopping_ && thread_.joinable()) {
      incoming_.push_back(std::move(pair));
      ++count_;
    }
  }
  if (pair) { // not taken: the loop is not running
    ::close(client);
    ::close(server);
    return false;
  }
  std::uint64_t one = 1;
  (void)!::write(wake_, &one, sizeof one);
  return true;
}

std::size_t PumpLoop::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return count_;
}

bool PumpLoop::arm(Pair& pair) {
  // Level-triggered: each side is watched for what can move through it now.
  epoll_event client{};
  client.events = (pair.up.wantsRead() ? EPOLLIN : 0u) |
                  (pair.down.buffered() > 0 ? EPOLLOUT : 0u) | EPOLLRDHUP;
  client.data.u64 = pair.id * 2;
  epoll_event server{};
  server.events = (pair.down.wantsRead() ? EPOLLIN : 0u) |
                  (pair.up.buffered() > 0 ? EPOLLOUT : 0u) | EPOLLRDHUP;
  server.data.u64 = pair.id * 2 + 1;
  int op = pair.registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  if (epoll_ctl(epoll_, op, pair.client, &client) != 0 ||
      epoll_ctl(epoll_, op, pair.server, &server) != 0)
    return false;
  pair.registered = true;
  return true;
}

void PumpLoop::take(std::unique_ptr<Pair> owned) {
  Pair* pair = owned.get();
  pair->id = ++lastId_;
  pairs_.emplace(pair->id, std::move(owned));
  // What was read during the handshake goes out first.
  pump(*pair);
}

void PumpLoop::pump(Pair& pair) {
  std::uint64_t moved = pair.up.pull() + pair.down.pull();
  moved += pair.up.push() + pair.down.push();
  pair.up.settle();
  pair.down.settle();
  if (moved > 0) {
    moved_.fetch_add(moved);
    pair.lastActivity = std::chrono::steady_clock::now();
  }
  if (pair.finished() || !arm(pair))
    close(&pair);
}

void PumpLoop::close(Pair* pair) {
  ::close(pair->client); // also takes both out of the epoll set
  ::close(pair->server);
  pairs_.erase(pair->id); // `pair` is gone
  std::lock_guard<std::mutex> lock(mutex_);
  --count_;
}

void PumpLoop::run() {
  epoll_event events[64];
  auto lastSweep = std::chrono::steady_clock::now();
  for (;;) {
    int n = epoll_wait(epoll_, events, 64, 1000);
    if (n < 0 && errno != EINTR) {
      log(LogLevel::Error, "proxy", std::string("the tunnel loop failed: ") + strerror(errno));
      break;
    }
    std::vector<std::unique_ptr<Pair>> adopted;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_)
        break;
      adopted.swap(incoming_);
    }
    for (int i = 0; i < n; ++i) {
      if (events[i].data.u64 == 0) {
        std::uint64_t drained = 0;
        (void)!::read(wake_, &drained, sizeof drained);
        continue;
      }
      // A pair closed earlier in this batch is gone: only pairs still listed are pumped.
      auto found = pairs_.find(events[i].data.u64 / 2);
      if (found != pairs_.end())
        pump(*found->second);
    }
    for (auto& pair : adopted)
      take(std::move(pair));
    auto now = std::chrono::steady_clock::now();
    if (now - lastSweep >= std::chrono::seconds(1)) {
      lastSweep = now;
      std::vector<Pair*> idle;
      for (auto& [id, pair] : pairs_)
        if (now - pair->lastActivity >= idle_)
          idle.push_back(pair.get());
      for (Pair* pair : idle)
        close(pair);
    }
  }
}

void PumpLoop::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ && !thread_.joinable())
      return;
    stopping_ = true;
  }
  if (wake_ >= 0) {
    std::uint64_t one = 1;
    (void)!::write(wake_, &one, sizeof one);
  }
  if (thread_.joinable())
    thread_.join();
  std::vector<Pair*> all;
  for (auto& [id, pair] : pairs_)
    all.push_back(pair.get());
  for (Pair* pair : all)
    close(pair);
  std::vector<std::unique_ptr<Pair>> left;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    left.swap(incoming_);
    count_ -= left.size();
  }
  for (auto& pair : left) {
    ::close(pair->client);
    ::close(pair->server);
  }
  if (wake_ >= 0)
    ::close(wake_);
  if (epoll_ >= 0)
    ::close(epoll_);
  wake_ = epoll_ = -1;
}

} // namespace wdh::proxy
