// Session slots: a host-wide limit and per-plugin limits, with a FIFO queue of New Session
// requests waiting for a slot. A waiting request holds no thread: it is told when its turn
// comes, when it times out, when its client leaves, or when the pool closes.
#pragma once

#include "core/status.h"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <limits>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

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
  // Says the slot is on its way back (its session is being torn down): a New Session that
  // finds no free slot and may not queue (--no-queue) waits for it instead of failing.
  void markReturning() noexcept;
  // Returns the slot now (idempotent).
  void release() noexcept;

private:
  friend class SlotPool;
  Slot(SlotPool* pool, std::string plugin) : pool_(pool), plugin_(std::move(plugin)) {}
  SlotPool* pool_ = nullptr;
  std::string plugin_;
  bool returning_ = false;
};

// How a request for a slot may wait.
struct SlotWait {
  std::chrono::milliseconds queueTimeout{0}; // in the queue at most; 0 = no queue
  // With no queue: at most this long for a slot that is on its way back (markReturning).
  std::chrono::milliseconds returningWait{0};
};

// Counts slots in use; thread-safe. Must outlive every Slot it hands out.
class SlotPool {
public:
  // Told once how a request for a slot ended: Ok with the slot, or SessionNotCreated saying
  // which limit was full and for how long it waited. Runs on the thread that asked (a slot free
  // at once), on the thread that freed the slot, or on the pool's own timer thread; it must not
  // block.
  using Granted = std::function<void(Status status, Slot slot)>;

  // `maxSessions` for the host; `perPlugin` limits by plugin name (absent = host limit only);
  // at most `maxQueue` requests wait at once.
  SlotPool(std::size_t maxSessions, std::map<std::string, std::size_t> perPlugin,
           std::size_t maxQueue = std::numeric_limits<std::size_t>::max());
  // Refuses what still waits, then stops the timer thread.
  ~SlotPool();
  SlotPool(const SlotPool&) = delete;
  SlotPool& operator=(const SlotPool&) = delete;

  // Takes a slot for `plugin` now, or queues the request in FIFO order, as `wait` allows, until
  // a slot frees, its time is up, or `clientGone()` (polled a few times a second; may be
  // empty) says the requester left; then calls `granted` once.
  void acquireAsync(const std::string& plugin, SlotWait wait, std::function<bool()> clientGone,
                    Granted granted);
  // acquireAsync() waited for on this thread: queues up to `timeout` (0: no queue).
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
  // Refuses every later request and every request still queued, with `reason`.
  void close(const std::string& reason);

private:
  friend class Slot;
  struct Waiter {
    std::string plugin;
    std::chrono::steady_clock::time_point started;
    std::chrono::steady_clock::time_point deadline;
    std::function<bool()> clientGone;
    Granted granted;
    bool forReturning = false; // waits only for a slot on its way back (no queue)
  };
  // What to tell a waiter once the lock is let go.
  struct Outcome {
    Granted granted;
    Status status;
    Slot slot;
  };
  using Outcomes = std::list<Outcome>;

  bool fitsLocked(const std::string& plugin) const;
  void takeLocked(const std::string& plugin);
  void giveBack(const std::string& plugin, bool returning) noexcept;
  void noteReturning() noexcept;
  void grantWaitersLocked(Outcomes* outcomes);
  Outcome refusal(const Waiter& waiter, const std::string& why) const;
  std::string fullMessage(const std::string& plugin) const;
  void timerLoop();
  static void tell(Outcomes& outcomes);

  const std::size_t maxSessions_;
  const std::map<std::string, std::size_t> perPlugin_;
  const std::size_t maxQueue_;
  mutable std::mutex mutex_;
  std::condition_variable timerWake_;
  std::size_t used_ = 0;
  std::size_t returning_ = 0; // slots in use whose sessions are being torn down
  std::map<std::string, std::size_t> usedByPlugin_;
  std::list<std::shared_ptr<Waiter>> waiters_;
  std::string closedReason_; // not empty once close() ran
  bool stopping_ = false;
  std::thread timer_; // started with the first waiter
};

} // namespace wdh
