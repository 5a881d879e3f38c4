#include "session/slot_pool.h"

#include <algorithm>
#include <future>
#include <vector>

namespace wdh {
namespace {

constexpr std::chrono::milliseconds kPollClients{250};

} // namespace

Slot::Slot(Slot&& other) noexcept
    : pool_(other.pool_), plugin_(std::move(other.plugin_)), returning_(other.returning_) {
  other.pool_ = nullptr;
  other.returning_ = false;
}

Slot& Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    release();
    pool_ = other.pool_;
    plugin_ = std::move(other.plugin_);
    returning_ = other.returning_;
    other.pool_ = nullptr;
    other.returning_ = false;
  }
  return *this;
}

Slot::~Slot() {
  release();
}

void Slot::markReturning() noexcept {
  if (pool_ == nullptr || returning_)
    return;
  returning_ = true;
  pool_->noteReturning();
}

void Slot::release() noexcept {
  if (pool_ != nullptr)
    pool_->giveBack(plugin_, returning_);
  pool_ = nullptr;
  returning_ = false;
}

SlotPool::SlotPool(std::size_t maxSessions, std::map<std::string, std::size_t> perPlugin,
                   std::size_t maxQueue)
    : maxSessions_(maxSessions), perPlugin_(std::move(perPlugin)), maxQueue_(maxQueue) {}

SlotPool::~SlotPool() {
  close("the host is shutting down");
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  timerWake_.notify_all();
  if (timer_.joinable())
    timer_.join();
}

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

void SlotPool::noteReturning() noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  ++returning_;
}

void SlotPool::giveBack(const std::string& plugin, bool returning) noexcept {
  Outcomes outcomes;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    --used_;
    if (returning && returning_ > 0)
      --returning_;
    auto it = usedByPlugin_.find(plugin);
    if (it != usedByPlugin_.end() && --it->second == 0)
      usedByPlugin_.erase(it);
    grantWaitersLocked(&outcomes);
  }
  tell(outcomes);
}

// Hands freed slots to waiters in arrival order; a waiter whose plugin is at its own limit
// does not block later waiters for other plugins.
void SlotPool::grantWaitersLocked(Outcomes* outcomes) {
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    const std::shared_ptr<Waiter>& waiter = *it;
    if (!fitsLocked(waiter->plugin)) {
      ++it;
      continue;
    }
    takeLocked(waiter->plugin);
    outcomes->push_back(Outcome{std::move(waiter->granted), Status::ok(), Slot()});
    // The slot object is made once the lock is let go (its destructor takes the lock).
    outcomes->back().slot.plugin_ = waiter->plugin;
    outcomes->back().slot.pool_ = this;
    it = waiters_.erase(it);
  }
}

void SlotPool::tell(Outcomes& outcomes) {
  for (Outcome& outcome : outcomes)
    if (outcome.granted)
      outcome.granted(std::move(outcome.status), std::move(outcome.slot));
  outcomes.clear(); // slots nobody took go back here, outside the lock
}

std::string SlotPool::fullMessage(const std::string& plugin) const {
  auto limit = perPlugin_.find(plugin);
  if (used_ < maxSessions_ && limit != perPlugin_.end())
    return "all " + std::to_string(limit->second) + " " + plugin +
           " sessions allowed (--max-sessions-per-plugin) are in use";
  return "all " + std::to_string(maxSessions_) + " sessions allowed (--max-sessions) are in use";
}

SlotPool::Outcome SlotPool::refusal(const Waiter& waiter, const std::string& why) const {
  return Outcome{waiter.granted, Status(ErrorCode::SessionNotCreated, why), Slot()};
}

void SlotPool::acquireAsync(const std::string& plugin, SlotWait wait,
                            std::function<bool()> clientGone, Granted granted) {
  Outcomes outcomes;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    auto now = std::chrono::steady_clock::now();
    Waiter asked;
    asked.plugin = plugin;
    asked.granted = std::move(granted);
    if (!closedReason_.empty()) {
      outcomes.push_back(refusal(asked, closedReason_));
    } else if (waiters_.empty() && fitsLocked(plugin)) {
      takeLocked(plugin);
      outcomes.push_back(Outcome{std::move(asked.granted), Status::ok(), Slot()});
      outcomes.back().slot.plugin_ = plugin;
      outcomes.back().slot.pool_ = this;
    } else {
      bool queues = wait.queueTimeout.count() > 0;
      std::size_t forReturning = static_cast<std::size_t>(
          std::count_if(waiters_.begin(), waiters_.end(),
                        [](const std::shared_ptr<Waiter>& w) { return w->forReturning; }));
      // Without a queue, a slot whose session is being torn down is as good as free.
      bool awaitsReturning = !queues && wait.returningWait.count() > 0 && returning_ > forReturning;
      if (!queues && !awaitsReturning) {
        outcomes.push_back(
            refusal(asked, fullMessage(plugin) + " and this host does not queue (--no-queue)"));
      } else if (waiters_.size() >= maxQueue_) {
        outcomes.push_back(
            refusal(asked, "the New Session queue is full: " + std::to_string(waiters_.size()) +
                               " requests wait already (--max-queue); " + fullMessage(plugin)));
      } else {
        auto waiter = std::make_shared<Waiter>(std::move(asked));
        waiter->started = now;
        waiter->deadline = now + (queues ? wait.queueTimeout : wait.returningWait);
        waiter->clientGone = std::move(clientGone);
        waiter->forReturning = !queues;
        waiters_.push_back(std::move(waiter));
        if (!timer_.joinable())
          timer_ = std::thread(&SlotPool::timerLoop, this);
        timerWake_.notify_all();
      }
    }
  }
  tell(outcomes);
}

void SlotPool::timerLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    auto now = std::chrono::steady_clock::now();
    auto wake = now + std::chrono::hours(1);
    for (const auto& waiter : waiters_)
      wake = std::min(wake, waiter->clientGone ? std::min(waiter->deadline, now + kPollClients)
                                               : waiter->deadline);
    timerWake_.wait_until(lock, wake);
    if (stopping_)
      break;
    // Ask each client whether it is still there without holding the lock.
    std::vector<std::shared_ptr<Waiter>> polled(waiters_.begin(), waiters_.end());
    lock.unlock();
    std::vector<std::shared_ptr<Waiter>> gone;
    for (const auto& waiter : polled)
      if (waiter->clientGone && waiter->clientGone())
        gone.push_back(waiter);
    lock.lock();
    now = std::chrono::steady_clock::now();
    Outcomes outcomes;
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      const Waiter& waiter = **it;
      bool left = std::find(gone.begin(), gone.end(), *it) != gone.end();
      if (!left && waiter.deadline > now) {
        ++it;
        continue;
      }
      auto waited =
          std::chrono::duration_cast<std::chrono::milliseconds>(now - waiter.started).count();
      std::string why = left ? "the client left the queue"
                        : waiter.forReturning
                            ? fullMessage(waiter.plugin) + " and no session ended within " +
                                  std::to_string(waited / 1000) +
                                  " s; this host does not queue (--no-queue)"
                            : "timed out in the queue after " + std::to_string(waited / 1000) +
                                  " s (--session-request-timeout): " + fullMessage(waiter.plugin);
      outcomes.push_back(refusal(waiter, why));
      it = waiters_.erase(it);
    }
    if (!outcomes.empty()) {
      lock.unlock();
      tell(outcomes);
      lock.lock();
    }
  }
}

Status SlotPool::acquire(const std::string& plugin, std::chrono::milliseconds timeout,
                         const std::function<bool()>& clientGone, Slot* out) {
  std::promise<std::pair<Status, Slot>> promised;
  std::future<std::pair<Status, Slot>> result = promised.get_future();
  SlotWait wait;
  wait.queueTimeout = timeout;
  acquireAsync(plugin, wait, clientGone, [&promised](Status status, Slot slot) {
    promised.set_value({std::move(status), std::move(slot)});
  });
  std::pair<Status, Slot> outcome = result.get();
  if (outcome.first.isOk())
    *out = std::move(outcome.second);
  return outcome.first;
}

void SlotPool::close(const std::string& reason) {
  Outcomes outcomes;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closedReason_ = reason;
    for (const auto& waiter : waiters_)
      outcomes.push_back(refusal(*waiter, closedReason_));
    waiters_.clear();
  }
  timerWake_.notify_all();
  tell(outcomes);
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
