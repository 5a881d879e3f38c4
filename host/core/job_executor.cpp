#include "core/job_executor.h"

#include "core/log.h"

#include <system_error>

namespace wdh {

JobExecutor::JobExecutor(std::size_t maxThreads, std::size_t maxBacklog,
                         std::chrono::milliseconds idleExit)
    : maxThreads_(maxThreads == 0 ? 1 : maxThreads), maxBacklog_(maxBacklog), idleExit_(idleExit) {}

JobExecutor::~JobExecutor() {
  stop();
}

bool JobExecutor::takeLocked(Job&& job, bool force, std::unique_lock<std::mutex>& lock) {
  // Work admitted earlier goes ahead of the backlog: whoever waits on it may hold a thread.
  auto enqueue = [this, force](Job&& item) {
    if (force)
      queue_.push_front(std::move(item));
    else
      queue_.push_back(std::move(item));
  };
  // Every queued job has an idle thread waiting for it: queue it only when one more is idle.
  if (idle_ > queue_.size()) {
    enqueue(std::move(job));
    lock.unlock();
    work_.notify_one();
    return true;
  }
  if (threads_ >= maxThreads_ && !force) {
    // Every thread is taken: wait for one in the backlog, while it has room.
    if (queue_.size() - idle_ >= maxBacklog_)
      return false;
    queue_.push_back(std::move(job));
    return true;
  }
  joinFinishedLocked();
  ++threads_;
  enqueue(std::move(job));
  ++idle_; // the new thread counts as idle until it takes its job
  try {
    // It waits for the lock before it looks at anything, so it is listed before it runs.
    std::thread thread(&JobExecutor::workerLoop, this);
    running_.emplace(thread.get_id(), std::move(thread));
  } catch (const std::system_error& e) {
    --threads_;
    --idle_;
    Job taken = std::move(force ? queue_.front() : queue_.back());
    if (force)
      queue_.pop_front();
    else
      queue_.pop_back();
    lock.unlock();
    log(LogLevel::Warn, "jobs", std::string("cannot start a thread: ") + e.what());
    if (!force) {
      job = std::move(taken);
      return false;
    }
    taken(); // admitted work is never lost: run it here
  }
  return true;
}

bool JobExecutor::trySubmit(Job& job) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (stopping_)
    return false;
  Job moved = std::move(job);
  if (takeLocked(std::move(moved), false, lock))
    return true;
  job = std::move(moved);
  return false;
}

void JobExecutor::submit(Job job) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (stopping_) {
    lock.unlock();
    job();
    return;
  }
  takeLocked(std::move(job), true, lock);
}

std::size_t JobExecutor::busy() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return threads_ - idle_ + queue_.size();
}

void JobExecutor::workerLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    if (queue_.empty()) {
      if (stopping_)
        break;
      if (!work_.wait_for(lock, idleExit_, [this] { return !queue_.empty() || stopping_; }))
        break; // idle too long
      continue;
    }
    Job job = std::move(queue_.front());
    queue_.pop_front();
    --idle_;
    lock.unlock();
    job();
    job = nullptr; // what it captured goes before the thread counts as idle
    lock.lock();
    ++idle_;
  }
  --idle_;
  --threads_;
  auto self = running_.find(std::this_thread::get_id());
  if (self != running_.end()) {
    finished_.push_back(std::move(self->second));
    running_.erase(self);
  }
  gone_.notify_all();
}

void JobExecutor::joinFinishedLocked() {
  // Each has let go of the lock for good; joining waits only for it to return.
  for (std::thread& thread : finished_)
    thread.join();
  finished_.clear();
}

void JobExecutor::stop() {
  std::unique_lock<std::mutex> lock(mutex_);
  stopping_ = true;
  work_.notify_all();
  gone_.wait(lock, [this] { return threads_ == 0; });
  joinFinishedLocked();
}

} // namespace wdh
