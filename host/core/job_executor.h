// Threads for work that may block (a browser starting, a plugin call, the sessions API), kept
// apart from the threads that move bytes, so that no amount of slow work stops the host from
// answering: when every thread is taken, work waits in a bounded backlog, and past that it is
// refused at once instead of waiting.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace wdh {

// A pool of at most `maxThreads` threads for admitted work, started on demand and ended after
// `idleExit` without work, with a FIFO backlog of at most `maxBacklog` jobs waiting for one;
// thread-safe. A job must not throw.
class JobExecutor {
public:
  using Job = std::function<void()>;

  // `maxThreads` and `maxBacklog` bound trySubmit(); threads idle for `idleExit` end.
  explicit JobExecutor(std::size_t maxThreads, std::size_t maxBacklog = 0,
                       std::chrono::milliseconds idleExit = std::chrono::seconds(30));
  // stop()
  ~JobExecutor();
  JobExecutor(const JobExecutor&) = delete;
  JobExecutor& operator=(const JobExecutor&) = delete;

  // Runs `job` on a free thread, starting one if fewer than maxThreads run, or queues it in the
  // backlog; false (and `job` untouched and not run) when the backlog is full too, or the
  // executor stopped.
  bool trySubmit(Job& job);
  // Runs `job` even past maxThreads: for the next step of work admitted earlier (a New Session
  // whose slot came free), which a full pool must not lose. After stop() it runs on the caller.
  void submit(Job job);
  // Jobs running or waiting for a thread now.
  std::size_t busy() const;
  // The bound of trySubmit().
  std::size_t maxThreads() const noexcept { return maxThreads_; }
  // Refuses new jobs and waits until every job taken so far has finished. Idempotent.
  void stop();

private:
  bool takeLocked(Job&& job, bool force, std::unique_lock<std::mutex>& lock);
  void workerLoop();
  void joinFinishedLocked();

  const std::size_t maxThreads_;
  const std::size_t maxBacklog_;
  const std::chrono::milliseconds idleExit_;
  mutable std::mutex mutex_;
  std::condition_variable work_; // a job was queued, or stop() began
  std::condition_variable gone_; // a thread ended
  std::deque<Job> queue_;        // jobs not yet taken: handed to idle threads, or the backlog
  std::size_t threads_ = 0;      // threads alive
  std::size_t idle_ = 0;         // threads waiting for a job
  std::unordered_map<std::thread::id, std::thread> running_; // every thread alive
  std::vector<std::thread> finished_;                        // threads that ended, to be joined
  bool stopping_ = false;
};

} // namespace wdh
