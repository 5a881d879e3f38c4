// The server's event loop: one epoll set, and a pool of workers that take its events. A pool
// of free workers as large as the machine has cores takes events in batches; one more worker
// starts whenever a handler may block (a browser starting, a queue, a handshake), up to a
// limit, so that a slow handler never holds up the events of others.
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

  // `handler` must outlive the loop; at most `maxThreads` workers run at once.
  EventLoop(Handler& handler, int maxThreads);
  // Stops the workers if they run.
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Creates the epoll set and starts the free workers; UnknownError naming the cause.
  Status start();
  // Arms `source` to be reported once when `fd` is readable: registers it when `add`, else
  // re-arms it. False (errno set) when the kernel refuses. From this call on, another worker
  // may own the source.
  bool watch(EventSource* source, int fd, bool add);
  // Removes `fd` from the set.
  void forget(int fd);
  // The epoll set's descriptor (to tell whether a long-lived socket is registered with it).
  int id() const noexcept { return epoll_; }
  // Called by a worker before a handler that may wait long: gives back the events the worker
  // took but has not handled yet, and starts another worker if too few are free.
  void enterBlocking();
  // Called by that worker when the wait is over.
  void leaveBlocking() noexcept { blockedWorkers_.fetch_sub(1); }
  // True once stop() began.
  bool stopping() const noexcept { return stopping_.load(); }
  // Tells the workers to stop (they finish the event in hand), without waiting for them.
  void requestStop();
  // requestStop(), then waits for every worker; later calls do nothing.
  void stop();

private:
  void workerLoop();
  void releaseBatch();
  void addWorker();

  Handler& handler_;
  const int maxThreads_;
  int epoll_ = -1;
  int wake_ = -1; // eventfd, readable once stopping
  char wakeTag_ = 0;
  int spareWorkers_ = 2; // workers kept free of blocking handlers
  std::atomic<bool> stopping_{false};
  std::atomic<int> workerCount_{0};    // workers started
  std::atomic<int> blockedWorkers_{0}; // workers inside a handler that may wait long
  std::mutex workersMutex_;
  std::vector<std::thread> workers_;
};

} // namespace wdh
