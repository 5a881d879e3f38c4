#include "server/event_loop.h"

#include "core/log.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <system_error>
#include <unistd.h>

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

namespace wdh {
namespace {

constexpr int kEventBatch = 16;
constexpr std::uint32_t kArmed = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
constexpr std::uint32_t kArmedForWrite = EPOLLOUT | EPOLLRDHUP | EPOLLONESHOT;

// The events one worker took from epoll, and how far it got handling them.
struct EventBatch {
  epoll_event events[kEventBatch];
  int count = 0;
  int next = 0;
};

// The kernel orders epoll_ctl() before the epoll_wait() that reports the event it armed;
// ThreadSanitizer does not model that for EPOLL_CTL_MOD, so a TSan build says so explicitly.
#if defined(__SANITIZE_THREAD__)
void handOver(void* object) {
  __tsan_release(object);
}
void takeOver(void* object) {
  __tsan_acquire(object);
}
#else
void handOver(void*) {}
void takeOver(void*) {}
#endif

} // namespace

EventLoop::EventLoop(Handler& handler) : handler_(handler) {}

EventLoop::~EventLoop() {
  stop();
  if (wake_ >= 0)
    close(wake_);
  if (epoll_ >= 0)
    close(epoll_);
}

Status EventLoop::start() {
  epoll_ = epoll_create1(EPOLL_CLOEXEC);
  wake_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (epoll_ < 0 || wake_ < 0)
    return Status(ErrorCode::UnknownError, std::string("cannot create epoll: ") + strerror(errno));
  epoll_event wake{};
  wake.events = EPOLLIN; // level-triggered: every worker sees it
  wake.data.ptr = &wakeTag_;
  if (epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &wake) != 0)
    return Status(ErrorCode::UnknownError, std::string("cannot watch sockets: ") + strerror(errno));
  // As many workers as cores (at least two): nothing blocks one, so more would only take turns
  // sleeping in epoll_wait.
  int workers = std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
  for (int i = 0; i < workers; ++i)
    addWorker();
  return Status::ok();
}

bool EventLoop::watch(EventSource* source, int fd, bool add, bool writable) {
  source->watchedFd = fd;
  epoll_event watch{};
  watch.events = writable ? kArmedForWrite : kArmed;
  watch.data.ptr = source;
  handOver(source);
  return epoll_ctl(epoll_, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &watch) == 0;
}

void EventLoop::forget(int fd) {
  epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
}

void EventLoop::addWorker() {
  std::lock_guard<std::mutex> lock(workersMutex_);
  if (stopping_)
    return;
  try {
    workers_.emplace_back(&EventLoop::workerLoop, this);
  } catch (const std::system_error& e) {
    log(LogLevel::Warn, "http", std::string("cannot start another worker: ") + e.what());
  }
}

void EventLoop::workerLoop() {
  EventBatch batch;
  for (;;) {
    batch.count = epoll_wait(epoll_, batch.events, kEventBatch, 1000);
    if (stopping_)
      return;
    // Under load several events are ready at once: one epoll_wait takes them all.
    for (batch.next = 0; batch.next < batch.count;) {
      const epoll_event event = batch.events[batch.next++];
      if (event.data.ptr == &wakeTag_)
        continue;
      takeOver(event.data.ptr);
      handler_.onEvent(static_cast<EventSource*>(event.data.ptr));
    }
  }
}

void EventLoop::requestStop() {
  {
    std::lock_guard<std::mutex> lock(workersMutex_);
    if (stopping_)
      return;
    stopping_ = true;
  }
  std::uint64_t one = 1;
  (void)!write(wake_, &one, sizeof one);
}

void EventLoop::stop() {
  if (epoll_ < 0)
    return;
  requestStop();
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(workersMutex_);
    workers.swap(workers_);
  }
  for (auto& worker : workers)
    worker.join();
}

} // namespace wdh
