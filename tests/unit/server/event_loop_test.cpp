// The server's event loop with eventfds as sources: each armed source is reported once, on a
// worker, and stays disarmed (read from the kernel's own view of the epoll set in
// /proc/self/fdinfo) until it is watched again; a handler that blocks does not hold up the other
// workers; stop() lets the event in hand finish and joins every worker.
#include "server/event_loop.h"

#include <condition_variable>
#include <cstdint>
#include <doctest/doctest.h>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <sstream>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

using namespace wdh;
using namespace std::chrono_literals;

namespace {

// An eventfd registered as a source; readable (for good) once fired.
struct Source : EventSource {
  Source() : EventSource(Kind::Client), fd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    REQUIRE(fd >= 0);
  }
  ~Source() { close(fd); }
  Source(const Source&) = delete;
  Source& operator=(const Source&) = delete;
  void fire() const {
    std::uint64_t one = 1;
    REQUIRE(write(fd, &one, sizeof one) == sizeof one);
  }
  int fd;
};

// Counts the events of each source; a source in `blockOn` makes its handler wait for release().
class Recorder : public EventLoop::Handler {
public:
  void onEvent(EventSource* source) override {
    std::unique_lock<std::mutex> lock(mutex_);
    ++events_[source];
    changed_.notify_all();
    if (source == blockOn) {
      blocking_ = true;
      changed_.notify_all();
      changed_.wait_for(lock, 60s, [&] { return released_; });
      blocking_ = false;
      ++finished_;
      changed_.notify_all();
    }
  }
  // Waits (at most 30 s) until `source` was reported `count` times.
  bool reported(EventSource* source, int count) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, 30s, [&] { return events_[source] >= count; });
  }
  int events(EventSource* source) {
    std::lock_guard<std::mutex> lock(mutex_);
    return events_[source];
  }
  bool blocked() {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, 30s, [&] { return blocking_; });
  }
  void release() {
    std::lock_guard<std::mutex> lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }
  int finished() {
    std::lock_guard<std::mutex> lock(mutex_);
    return finished_;
  }

  EventSource* blockOn = nullptr;

private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<EventSource*, int> events_;
  bool blocking_ = false;
  bool released_ = false;
  int finished_ = 0;
};

// The event mask the kernel holds for `fd` in epoll set `epoll` (from /proc/self/fdinfo), or -1
// when `fd` is not in the set. A one-shot entry that fired keeps only its flags: no EPOLLIN.
long long armedEvents(int epoll, int fd) {
  std::ifstream info("/proc/self/fdinfo/" + std::to_string(epoll));
  std::string line;
  while (std::getline(info, line)) {
    std::istringstream fields(line);
    std::string key, eventsKey;
    int target = -1;
    std::string mask;
    if (fields >> key >> target >> eventsKey >> mask && key == "tfd:" && target == fd &&
        eventsKey == "events:")
      return std::stoll(mask, nullptr, 16);
  }
  return -1;
}

} // namespace

TEST_CASE("event loop: a source is reported once, then stays disarmed until watched again") {
  Recorder recorder;
  EventLoop loop(recorder);
  REQUIRE(loop.start().isOk());
  CHECK(loop.id() >= 0);
  Source source;
  REQUIRE(loop.watch(&source, source.fd, true));
  CHECK(source.watchedFd == source.fd);
  CHECK((armedEvents(loop.id(), source.fd) & EPOLLIN) != 0);
  source.fire(); // readable from now on: level-triggered, it would be reported over and over
  REQUIRE(recorder.reported(&source, 1));
  // The kernel says why it cannot be reported again: its entry no longer asks for EPOLLIN.
  long long disarmed = armedEvents(loop.id(), source.fd);
  CHECK(disarmed >= 0);
  CHECK((disarmed & EPOLLIN) == 0);
  CHECK(recorder.events(&source) == 1);
  // Re-armed while still readable: reported once more.
  REQUIRE(loop.watch(&source, source.fd, false));
  CHECK(recorder.reported(&source, 2));
  CHECK((armedEvents(loop.id(), source.fd) & EPOLLIN) == 0);
  loop.forget(source.fd);
  CHECK(armedEvents(loop.id(), source.fd) == -1);
  loop.stop();
  CHECK(recorder.events(&source) == 2);
}

TEST_CASE("event loop: many sources ready at once are each reported exactly once") {
  Recorder recorder;
  EventLoop loop(recorder);
  REQUIRE(loop.start().isOk());
  std::vector<std::unique_ptr<Source>> sources;
  for (int i = 0; i < 100; ++i) {
    sources.push_back(std::make_unique<Source>());
    sources.back()->fire(); // ready before it is even watched
  }
  for (auto& source : sources)
    REQUIRE(loop.watch(source.get(), source->fd, true));
  for (auto& source : sources) {
    CHECK(recorder.reported(source.get(), 1));
    CHECK((armedEvents(loop.id(), source->fd) & EPOLLIN) == 0);
  }
  loop.stop();
  for (auto& source : sources)
    CHECK(recorder.events(source.get()) == 1);
}

TEST_CASE("event loop: a handler that blocks leaves the other workers serving events") {
  Recorder recorder;
  Source slow, quick;
  recorder.blockOn = &slow;
  EventLoop loop(recorder);
  REQUIRE(loop.start().isOk());
  REQUIRE(loop.watch(&slow, slow.fd, true));
  slow.fire();
  REQUIRE(recorder.blocked());
  REQUIRE(loop.watch(&quick, quick.fd, true));
  quick.fire();
  CHECK(recorder.reported(&quick, 1));
  CHECK(recorder.finished() == 0); // the slow one is still in its handler
  recorder.release();
  loop.stop();
  CHECK(recorder.finished() == 1);
}

TEST_CASE("event loop: stop lets the event in hand finish, joins the workers, and is idempotent") {
  Recorder recorder;
  Source slow;
  recorder.blockOn = &slow;
  EventLoop loop(recorder);
  REQUIRE(loop.start().isOk());
  REQUIRE(loop.watch(&slow, slow.fd, true));
  slow.fire();
  REQUIRE(recorder.blocked());
  loop.requestStop(); // tells the workers, does not wait for them
  CHECK(loop.stopping());
  auto stopped = std::async(std::launch::async, [&] {
    loop.stop();
    return recorder.finished(); // what had finished when stop() returned
  });
  recorder.release();
  REQUIRE(stopped.wait_for(60s) == std::future_status::ready);
  CHECK(stopped.get() == 1);
  loop.stop();
  loop.requestStop();
  CHECK(loop.stopping());
}

TEST_CASE("event loop: a descriptor the kernel refuses is reported as such") {
  Recorder recorder;
  EventLoop loop(recorder);
  REQUIRE(loop.start().isOk());
  Source source;
  CHECK_FALSE(loop.watch(&source, -1, true));
  CHECK_FALSE(loop.watch(&source, source.fd, false)); // re-arming what was never added
  loop.stop();
}

TEST_CASE("event loop: a loop never started stops without workers") {
  Recorder recorder;
  EventLoop loop(recorder);
  CHECK_FALSE(loop.stopping());
  loop.stop();
  CHECK(loop.id() == -1);
}
