// Session slots: a host-wide limit and per-plugin limits, with a FIFO queue of New Session
// requests waiting for a slot.
#pragma once

#include "core/status.h"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace wdh {

class SlotPool;

// A held slot; returned to the pool when destroyed. Move-only.
class Slot {
public:
  Slot() = default;
  Slot(Slot&& other) noexcept;
  Slot& operator=(Slot&& other) noexcept;
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;
  ~Slot();

  // True when this holds a slot.
  explicit operator bool() const noexcept { return pool_ != nullptr; }
  // Returns the slot now (idempotent).
  void release() noexcept;

private:
  friend class SlotPool;
  Slot(SlotPool* pool, std::string plugin) : pool_(pool), plugin_(std::move(plugin)) {}
  SlotPool* pool_ = nullptr;
  std::string plugin_;
};

// Counts slots in use; thread-safe. Must outlive every Slot it hands out.
class SlotPool {
public:
  // `maxSessions` for the host; `perPlugin` limits by plugin name (absent = host limit only).
  SlotPool(std::size_t maxSessions, std::map<std::string, std::size_t> perPlugin);

  // Takes a slot for `plugin`, waiting in FIFO order until one frees, `timeout` passes, or
  // `clientGone()` (polled a few times a second) says the requester left. With a zero timeout
  // it does not wait. SessionNotCreated says which limit was full and for how long it waited.
  Status acquire(const std::string& plugin, std::chrono::milliseconds timeout,
                 const std::function<bool()>& clientGone, Slot* out);

  // Sessions holding a slot.
  std::size_t inUse() const;
  // Requests waiting in the queue.
  std::size_t queued() const;
  // The host-wide limit.
  std::size_t maxSessions() const noexcept { return maxSessions_; }
  // True when a request for `plugin` (or, with "", for any plugin) would get a slot now.
  bool hasFreeSlot(const std::string& plugin) const;
  // Refuses every later acquire() and every request still queued, with `reason`.
  void close(const std::string& reason);

private:
  friend class Slot;
  struct Waiter {
    std::string plugin;
    bool granted = false;
  };
  bool fitsLocked(const std::string& plugin) const;
  void takeLocked(const std::string& plugin);
  void giveBack(const std::string& plugin) noexcept;
  void grantWaitersLocked();
  std::string fullMessage(const std::string& plugin) const;

  const std::size_t maxSessions_;
  const std::map<std::string, std::size_t> perPlugin_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t used_ = 0;
  std::map<std::string, std::size_t> usedByPlugin_;
  std::list<std::shared_ptr<Waiter>> waiters_;
  std::string closedReason_; // not empty once close() ran
};

} // namespace wdh
