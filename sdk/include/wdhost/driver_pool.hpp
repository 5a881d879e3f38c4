// Optional header-only helper: vendor drivers started ahead of launches (ABI 1.1 `warm`), so a
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
  void fill() {
    std::unique_lock<std::mutex> lock(mutex_);
    int failures = 0;
    while (!stopping_) {
      for (StartedDriver& driver : dead_)
        driver.process->terminate(0);
      dead_.clear();
      if (idle_.size() >= target_) {
        wake_.wait_for(lock, std::chrono::seconds(5));
        continue;
      }
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
      if (failures > 0) // back off, bounded, so a broken driver is not restarted in a loop
        wake_.wait_for(lock, std::chrono::seconds(failures < 6 ? 1 << failures : 60));
    }
  }

  Host host_;
  std::function<StartedDriver()> start_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  uint32_t target_ = 0;
  std::deque<StartedDriver> idle_;
  std::vector<StartedDriver> dead_;
  std::thread thread_;
};

} // namespace wdhost
