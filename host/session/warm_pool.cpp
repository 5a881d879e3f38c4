#include "session/warm_pool.h"

#include <algorithm>

namespace wdh {

std::unique_ptr<WarmBrowser> WarmPool::take(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  return takeLocked(key);
}

std::unique_ptr<WarmBrowser> WarmPool::takeOrWait(const std::string& key,
                                                  std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (starting_.count(key) > 0 && onWait_) {
    lock.unlock();
    onWait_();
    lock.lock();
  }
  changed_.wait_for(lock, timeout, [&] { return starting_.count(key) == 0; });
  return takeLocked(key);
}

bool WarmPool::waitForLaunches(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return starting_.empty(); });
}

std::unique_ptr<WarmBrowser> WarmPool::takeLocked(const std::string& key) {
  auto it = std::find_if(ready_.begin(), ready_.end(),
                         [&key](const std::unique_ptr<WarmBrowser>& b) { return b->key == key; });
  if (it == ready_.end())
    return nullptr;
  std::unique_ptr<WarmBrowser> browser = std::move(*it);
  ready_.erase(it);
  return browser;
}

std::unique_ptr<WarmBrowser> WarmPool::takeOldest() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (ready_.empty())
    return nullptr;
  std::unique_ptr<WarmBrowser> browser = std::move(ready_.front());
  ready_.erase(ready_.begin());
  return browser;
}

std::vector<std::unique_ptr<WarmBrowser>>
WarmPool::takeIdle(std::chrono::steady_clock::time_point now, std::chrono::seconds idle) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::unique_ptr<WarmBrowser>> taken;
  for (auto it = ready_.begin(); it != ready_.end();) {
    if (now - (*it)->ready >= idle) {
      taken.push_back(std::move(*it));
      it = ready_.erase(it);
    } else {
      ++it;
    }
  }
  return taken;
}

std::vector<std::unique_ptr<WarmBrowser>> WarmPool::close() {
  std::lock_guard<std::mutex> lock(mutex_);
  closed_ = true;
  return std::move(ready_);
}

bool WarmPool::beginLaunch(const std::string& key, std::size_t limit) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closed_ || ready_.size() + starting_.size() >= limit || starting_.count(key) > 0 ||
      std::any_of(ready_.begin(), ready_.end(),
                  [&key](const std::unique_ptr<WarmBrowser>& b) { return b->key == key; }))
    return false;
  starting_.insert(key);
  return true;
}

std::unique_ptr<WarmBrowser> WarmPool::endLaunch(const std::string& key,
                                                 std::unique_ptr<WarmBrowser> browser) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = starting_.find(key);
  if (it != starting_.end())
    starting_.erase(it);
  std::unique_ptr<WarmBrowser> unused = std::move(browser);
  if (unused && !closed_)
    ready_.push_back(std::move(unused));
  changed_.notify_all();
  return unused;
}

std::size_t WarmPool::ready() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return ready_.size();
}

std::size_t WarmPool::starting() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return starting_.size();
}

} // namespace wdh
