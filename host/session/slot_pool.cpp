#include "session/slot_pool.h"

#include <algorithm>

namespace wdh {

Slot::Slot(Slot&& other) noexcept : pool_(other.pool_), plugin_(std::move(other.plugin_)) {
  other.pool_ = nullptr;
}

Slot& Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    release();
    pool_ = other.pool_;
    plugin_ = std::move(other.plugin_);
    other.pool_ = nullptr;
  }
  return *this;
}

Slot::~Slot() {
  release();
}

void Slot::release() noexcept {
  if (pool_ != nullptr)
    pool_->giveBack(plugin_);
  pool_ = nullptr;
}

SlotPool::SlotPool(std::size_t maxSessions, std::map<std::string, std::size_t> perPlugin)
    : maxSessions_(maxSessions), perPlugin_(std::move(perPlugin)) {}

bool SlotPool::fitsLocked(const std::string& plugin) const {
  if (used_ >= maxSessions_)
    return false;
  auto limit = perPlugin_.find(plugin);
  if (limit == perPlugin_.end())
    return true;
  auto used = usedByPlugin_.find(plugin);
  return (used == usedByPlugin_.end() ? 0 : used->second) < limit->second;
}

void SlotPool::takeLocked(const std::string& plugin) {
  ++used_;
  ++usedByPlugin_[plugin];
}

void SlotPool::giveBack(const std::string& plugin) noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  --used_;
  auto it = usedByPlugin_.find(plugin);
  if (it != usedByPlugin_.end() && --it->second == 0)
    usedByPlugin_.erase(it);
  grantWaitersLocked();
}

// Hands freed slots to waiters in arrival order; a waiter whose plugin is at its own limit
// does not block later waiters for other plugins.
void SlotPool::grantWaitersLocked() {
  bool any = false;
  for (auto& waiter : waiters_) {
    if (waiter->granted || !fitsLocked(waiter->plugin))
      continue;
    waiter->granted = true;
    takeLocked(waiter->plugin);
    any = true;
  }
  if (any)
    changed_.notify_all();
}

std::string SlotPool::fullMessage(const std::string& plugin) const {
  auto limit = perPlugin_.find(plugin);
  if (used_ < maxSessions_ && limit != perPlugin_.end())
    return "all " + std::to_string(limit->second) + " " + plugin +
           " sessions allowed (--max-sessions-per-plugin) are in use";
  return "all " + std::to_string(maxSessions_) + " sessions allowed (--max-sessions) are in use";
}

Status SlotPool::acquire(const std::string& plugin, std::chrono::milliseconds timeout,
                         const std::function<bool()>& clientGone, Slot* out) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!closedReason_.empty())
    return Status(ErrorCode::SessionNotCreated, closedReason_);
  if (waiters_.empty() && fitsLocked(plugin)) {
    takeLocked(plugin);
    *out = Slot(this, plugin);
    return Status::ok();
  }
  if (timeout.count() <= 0)
    return Status(ErrorCode::SessionNotCreated,
                  fullMessage(plugin) + " and this host does not queue (--no-queue)");

  auto waiter = std::make_shared<Waiter>();
  waiter->plugin = plugin;
  waiters_.push_back(waiter);
  auto started = std::chrono::steady_clock::now();
  auto deadline = started + timeout;
  bool gone = false;
  while (!waiter->granted) {
    auto slice =
        std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(250));
    changed_.wait_until(lock, slice);
    if (waiter->granted || !closedReason_.empty() || std::chrono::steady_clock::now() >= deadline)
      break;
    lock.unlock();
    gone = clientGone && clientGone();
    lock.lock();
    if (gone)
      break;
  }
  waiters_.remove(waiter);
  bool closing = !closedReason_.empty();
  if (waiter->granted && !gone && !closing) {
    *out = Slot(this, plugin);
    return Status::ok();
  }
  if (waiter->granted) {
    // Granted while the client was leaving or the host closing: hand the slot straight back.
    lock.unlock();
    Slot(this, plugin).release();
    lock.lock();
  }
  auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  if (gone)
    return Status(ErrorCode::SessionNotCreated, "the client left the queue");
  if (closing)
    return Status(ErrorCode::SessionNotCreated, closedReason_);
  return Status(ErrorCode::SessionNotCreated,
                "timed out in the queue after " + std::to_string(waited.count() / 1000) +
                    " s (--session-request-timeout): " + fullMessage(plugin));
}

void SlotPool::close(const std::string& reason) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closedReason_ = reason;
  }
  changed_.notify_all();
}

std::size_t SlotPool::inUse() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return used_;
}

std::size_t SlotPool::queued() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return waiters_.size();
}

bool SlotPool::hasFreeSlot(const std::string& plugin) const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (plugin.empty())
    return used_ < maxSessions_;
  return fitsLocked(plugin);
}

} // namespace wdh
