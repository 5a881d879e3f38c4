// Optional header-only helper: vendor drivers started ahead of launches ("wdhost.warm/1"), so a
// New Session only waits for the browser. One background thread keeps the pool at its target;
// a driver is handed to one launch only; idle drivers are ended when the pool is destroyed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <wdhost/driver_session.hpp>

namespace wdhost {

// Keeps up to `target` ready drivers made by `start`; thread-safe.
class DriverPool {
public:
  // `start` makes one ready driver owned by no session (throws Error when it cannot).
  DriverPool(Host host, std::function<StartedDriver()> start)
      : host_(host), start_(std::move(start)) {}
  DriverPool(const DriverPool&) = delete;
  DriverPool& operator=(const DriverPool&) = delete;
  // Stops refilling, joins the thread, ends every idle driver.
  ~DriverPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable())
      thread_.join();
    for (StartedDriver& driver : idle_)
      driver.process->terminate(0);
  }

  // Sets how many ready drivers to keep (0 ends the idle ones); starts the filler if needed.
  void setTarget(uint32_t target) {
    std::vector<StartedDriver> surplus;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      target_ = target;
      while (idle_.size() > target_) {
        surplus.push_back(std::move(idle_.back()));
        idle_.pop_back();
      }
      if (target_ > 0 && !thread_.joinable())
        thread_ = std::thread([this] { fill(); });
    }
    for (StartedDriver& driver : surplus)
      driver.process->terminate(0);
    wake_.notify_all();
  }

  // A ready driver for one launch, held while the launch runs: its replacement is started only
  // once the lease ends (or after a few seconds), so the two starts do not compete for CPU.
  class Lease {
  public:
    // The driver taken, or nullopt when none was ready (the caller starts its own).
    std::optional<StartedDriver> driver;
    Lease(Lease&& other) noexcept : driver(std::move(other.driver)), pool_(other.pool_) {
      other.pool_ = nullptr;
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    // Lets the pool refill.
    ~Lease() {
      if (pool_ != nullptr)
        pool_->endLaunch();
    }

  private:
    friend class DriverPool;
    Lease(std::optional<StartedDriver> taken, DriverPool* pool)
        : driver(std::move(taken)), pool_(pool) {}
    DriverPool* pool_;
  };

  // Takes a ready driver for a launch that runs until the lease is destroyed.
  Lease lease() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++launching_;
    }
    return Lease(take(), this);
  }

  // A ready driver for one launch, or nullopt when none is ready (the caller starts its own).
  std::optional<StartedDriver> take() {
    std::optional<StartedDriver> taken;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      while (!idle_.empty() && !taken) {
        StartedDriver driver = std::move(idle_.front());
        idle_.pop_front();
        if (driver.process->state().running())
          taken = std::move(driver);
        else
          dead_.push_back(std::move(driver));
      }
    }
    wake_.notify_all();
    return taken;
  }

private:
  static constexpr auto kMaxRefillDelay = std::chrono::seconds(3);

  void endLaunch() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      --launching_;
    }
    wake_.notify_all();
  }

  void fill() {
    std::unique_lock<std::mutex> lock(mutex_);
    int failures = 0;
    auto retryAt = std::chrono::steady_clock::now();
    auto stopRequested = [this] { return stopping_; };
    while (!stopping_) {
      // Dead drivers are ended without the lock: terminate() waits for the tree to go (up to
      // a grace and seconds more), and lease() must not wait behind that.
      if (!dead_.empty()) {
        std::vector<StartedDriver> dead;
        dead.swap(dead_);
        lock.unlock();
        for (StartedDriver& driver : dead)
          driver.process->terminate(0);
        dead.clear();
        lock.lock();
        continue;
      }
      if (idle_.size() >= target_) {
        wake_.wait_for(lock, std::chrono::seconds(5));
        continue;
      }
      // After a failure, wait out the back-off (bounded, so a broken driver is not restarted
      // in a loop); take() and ended leases do not cut it short.
      if (std::chrono::steady_clock::now() < retryAt) {
        wake_.wait_until(lock, retryAt, stopRequested);
        continue;
      }
      // Launches in progress get the CPU first; a steady stream of them delays refills by
      // kMaxRefillDelay at most.
      if (launching_ > 0 &&
          wake_.wait_for(lock, kMaxRefillDelay, [this] { return stopping_ || launching_ == 0; }))
        continue;
      lock.unlock();
      std::optional<StartedDriver> started;
      try {
        started = start_();
        failures = 0;
      } catch (const std::exception& e) {
        host_.log(WDHOST_LOG_WARN, std::string("could not start a driver ahead: ") + e.what());
        ++failures;
      }
      lock.lock();
      if (started)
        idle_.push_back(std::move(*started));
      if (failures > 0)
        retryAt = std::chrono::steady_clock::now() +
                  std::chrono::seconds(failures < 6 ? 1 << failures : 60);
    }
  }

  Host host_;
  std::function<StartedDriver()> start_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  uint32_t target_ = 0;
  int launching_ = 0; // leases not yet ended
  std::deque<StartedDriver> idle_;
  std::vector<StartedDriver> dead_;
  std::thread thread_;
};

} // namespace wdhost
