#include "server/tunnel_loop.h"

#include "core/log.h"

#include <cerrno>
#include <cstring>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace wdh {
namespace {

constexpr int kEventBatch = 64;
constexpr int kTickMs = 100; // how often close deadlines are checked while any tunnel closes
constexpr auto kCloseGrace = std::chrono::seconds(1);

} // namespace

TunnelLoop::TunnelLoop(std::size_t maxPerSession) : maxPerSession_(maxPerSession) {}

TunnelLoop::~TunnelLoop() {
  stop();
  if (wake_ >= 0)
    ::close(wake_);
  if (epoll_ >= 0)
    ::close(epoll_);
}

bool TunnelLoop::start() {
  epoll_ = epoll_create1(EPOLL_CLOEXEC);
  wake_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (epoll_ < 0 || wake_ < 0)
    return false;
  epoll_event wake{};
  wake.events = EPOLLIN;
  wake.data.ptr = &wakeTag_;
  if (epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &wake) != 0)
    return false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    running_ = true;
  }
  thread_ = std::thread(&TunnelLoop::run, this);
  return true;
}

bool TunnelLoop::reserve(const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!running_ || stopping_)
    return false;
  std::size_t& taken = places_[id];
  if (taken >= maxPerSession_) {
    if (taken == 0)
      places_.erase(id);
    return false;
  }
  ++taken;
  return true;
}

void TunnelLoop::release(const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = places_.find(id);
  if (it != places_.end() && --it->second == 0)
    places_.erase(it);
}

void TunnelLoop::adopt(std::unique_ptr<WebSocketTunnel> tunnel) {
  tunnel->countInto(&traffic_);
  Command command;
  command.adopt = std::move(tunnel);
  post(std::move(command));
}

void TunnelLoop::closeSession(const std::string& id, std::uint16_t code,
                              const std::string& reason) {
  Command command;
  command.closeId = id;
  command.code = code;
  command.reason = reason;
  std::unique_lock<std::mutex> lock(mutex_);
  if (!running_ || places_.find(id) == places_.end())
    return; // no tunnel of this session: nothing to wait for
  std::uint64_t ticket = command.ticket = ++posted_;
  commands_.push_back(std::move(command));
  std::uint64_t one = 1;
  (void)!::write(wake_, &one, sizeof one);
  applied_.wait_for(lock, kCloseGrace, [&] { return done_ >= ticket || !running_; });
}

std::size_t TunnelLoop::openCount() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return open_;
}

void TunnelLoop::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!running_ || stopping_)
      return;
    stopping_ = true;
  }
  Command command;
  command.all = true;
  command.code = 1001;
  command.reason = "the host is shutting down";
  post(std::move(command));
  thread_.join();
}

void TunnelLoop::post(Command command) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!running_) {
      // The loop is gone: the tunnel ends here (closing both sockets), and gives its place back.
      if (command.adopt) {
        auto place = places_.find(command.adopt->sessionId());
        if (place != places_.end() && --place->second == 0)
          places_.erase(place);
      }
      return;
    }
    command.ticket = ++posted_;
    commands_.push_back(std::move(command));
  }
  std::uint64_t one = 1;
  (void)!::write(wake_, &one, sizeof one);
}

void TunnelLoop::run() {
  epoll_event events[kEventBatch];
  for (;;) {
    int timeout = closingEntries_.empty() ? -1 : kTickMs;
    int count = epoll_wait(epoll_, events, kEventBatch, timeout);
    if (count < 0 && errno != EINTR) {
      log(LogLevel::Error, "websocket", std::string("epoll_wait failed: ") + strerror(errno));
      break;
    }
    for (int i = 0; i < count; ++i) {
      if (events[i].data.ptr == &wakeTag_) {
        std::uint64_t drained;
        (void)!::read(wake_, &drained, sizeof drained);
        continue;
      }
      auto* side = static_cast<Side*>(events[i].data.ptr);
      Entry& entry = *side->entry;
      if (entry.dead)
        continue;
      std::uint32_t seen = events[i].events;
      entry.tunnel->pump(side->upstream ? 0 : seen, side->upstream ? seen : 0);
      update(entry);
    }
    std::deque<Command> commands;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      commands.swap(commands_);
    }
    for (Command& command : commands)
      apply(command);
    if (!commands.empty()) {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = commands.back().ticket;
      applied_.notify_all();
    }
    if (!closingEntries_.empty()) {
      std::vector<Entry*> closing;
      for (auto& [entry, unused] : closingEntries_)
        closing.push_back(entry);
      for (Entry* entry : closing)
        if (!entry->dead)
          update(*entry);
    }
    graveyard_.clear();
    if (draining_ && (entries_.empty() || WebSocketTunnel::Clock::now() >= drainDeadline_))
      break;
  }
  // Whatever is left ends without waiting further.
  std::vector<Entry*> left;
  for (auto& [raw, entry] : entries_)
    left.push_back(entry.get());
  for (Entry* entry : left)
    bury(*entry);
  graveyard_.clear();
  std::lock_guard<std::mutex> lock(mutex_);
  running_ = false;
  commands_.clear();
  applied_.notify_all();
}

void TunnelLoop::apply(Command& command) {
  if (command.adopt) {
    auto entry = std::make_unique<Entry>();
    Entry* raw = entry.get();
    raw->tunnel = std::move(command.adopt);
    raw->client.entry = raw->upstream.entry = raw;
    raw->upstream.upstream = true;
    entries_.emplace(raw->tunnel.get(), std::move(entry));
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++open_;
    }
    if (draining_)
      closeEntry(*raw, 1001, "the host is shutting down");
    raw->tunnel->pump();
    update(*raw);
    return;
  }
  if (command.all) {
    draining_ = true;
    drainDeadline_ = WebSocketTunnel::Clock::now() + kCloseGrace;
  }
  std::vector<Entry*> matching;
  for (auto& [raw, entry] : entries_)
    if (command.all || entry->tunnel->sessionId() == command.closeId)
      matching.push_back(entry.get());
  for (Entry* entry : matching)
    closeEntry(*entry, command.code, command.reason);
}

void TunnelLoop::closeEntry(Entry& entry, std::uint16_t code, const std::string& reason) {
  if (entry.dead)
    return;
  entry.tunnel->close(code, reason, WebSocketTunnel::Clock::now() + kCloseGrace);
  closingEntries_[&entry] = true;
  entry.tunnel->pump();
  update(entry);
}

void TunnelLoop::update(Entry& entry) {
  WebSocketTunnel& tunnel = *entry.tunnel;
  if (tunnel.closing())
    closingEntries_[&entry] = true;
  if (tunnel.finished(WebSocketTunnel::Clock::now())) {
    bury(entry);
    return;
  }
  watch(entry.client, tunnel.clientFd(), tunnel.clientInterest());
  watch(entry.upstream, tunnel.upstreamFd(), tunnel.upstreamInterest());
}

void TunnelLoop::watch(Side& side, int fd, std::uint32_t events) {
  if (fd != side.fd) {
    // A new descriptor, or the old one closed by the tunnel (which took it out of the set).
    side.fd = fd;
    side.registered = false;
  }
  if (fd < 0)
    return;
  if (events == 0) {
    // Out of the set while nothing is wanted: a hang-up would otherwise be reported forever.
    if (side.registered)
      epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
    side.registered = false;
    return;
  }
  if (side.registered && side.armed == events)
    return;
  epoll_event watch{};
  watch.events = events;
  watch.data.ptr = &side;
  if (epoll_ctl(epoll_, side.registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &watch) != 0) {
    log(LogLevel::Warn, "websocket", std::string("cannot watch a socket: ") + strerror(errno));
    return;
  }
  side.registered = true;
  side.armed = events;
}

void TunnelLoop::bury(Entry& entry) {
  if (entry.dead)
    return;
  entry.dead = true;
  for (Side* side : {&entry.client, &entry.upstream})
    if (side->registered)
      epoll_ctl(epoll_, EPOLL_CTL_DEL, side->fd, nullptr);
  closingEntries_.erase(&entry);
  std::string id = entry.tunnel->sessionId();
  auto it = entries_.find(entry.tunnel.get());
  if (it != entries_.end()) {
    graveyard_.push_back(std::move(it->second));
    entries_.erase(it);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  --open_;
  auto place = places_.find(id);
  if (place != places_.end() && --place->second == 0)
    places_.erase(place);
}

} // namespace wdh
