// The server's event loop: one epoll set, and a fixed pool of workers, as many as the machine
// has cores, that take its events in batches. Handlers never wait long on a worker: work that
// may block runs on the job executor (core/job_executor.h).
#pragma once

#include "core/status.h"
#include "server/event_source.h"

#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace wdh {

// Thread-safe. Every registration is one-shot: after its event is handed to a worker, a
// source stays disarmed until watch() arms it again, so one worker at a time owns it.
class EventLoop {
public:
  // Told of every event, on a worker thread.
  class Handler {
  public:
    virtual ~Handler() = default;
    // `source` became readable (or hung up); it is disarmed until watched again.
    virtual void onEvent(EventSource* source) = 0;
  };

  // `handler` must outlive the loop.
  explicit EventLoop(Handler& handler);
  // Stops the workers if they run.
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Creates the epoll set and starts the free workers; UnknownError naming the cause.
  Status start();
  // Arms `source` to be reported once when `fd` is readable (or, with `writable`, writable):
  // registers it when `add`, else re-arms it. False (errno set) when the kernel refuses. From
  // this call on, another worker may own the source.
  bool watch(EventSource* source, int fd, bool add, bool writable = false);
  // Removes `fd` from the set.
  void forget(int fd);
  // The epoll set's descriptor (to tell whether a long-lived socket is registered with it).
  int id() const noexcept { return epoll_; }
  // True once stop() began.
  bool stopping() const noexcept { return stopping_.load(); }
  // Tells the workers to stop (they finish the event in hand), without waiting for them.
  void requestStop();
  // requestStop(), then waits for every worker; later calls do nothing.
  void stop();

private:
  void workerLoop();
  void addWorker();

  Handler& handler_;
  int epoll_ = -1;
  int wake_ = -1; // eventfd, readable once stopping
  char wakeTag_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex workersMutex_;
  std::vector<std::thread> workers_;
};

} // namespace wdh
