// The janitor: crashed and idle sessions are taken out of the map with the reason and closed;
// teardowns run on a pool that neither the caller nor the sweep waits on, so a teardown that
// hangs delays no other session's sweep; stop() waits for teardowns under way, within a bound.
// Teardowns here block on a gate the test opens, so no assertion depends on timing.
#include "session/session_janitor.h"
#include "unit/session/fake_sessions.h"

#include <algorithm>
#include <condition_variable>
#include <doctest/doctest.h>
#include <future>
#include <mutex>
#include <set>

using namespace wdh;
using wdhtest::fakeSession;
using namespace std::chrono_literals;

namespace {

// Records which sessions were closed; the teardown of ids in `held` waits until release().
class Teardowns {
public:
  explicit Teardowns(std::set<std::string> held = {}) : held_(std::move(held)) {}
  ~Teardowns() { release(); }

  SessionJanitor::CloseFn fn() {
    return [this](const std::shared_ptr<Session>& session) {
      std::unique_lock<std::mutex> lock(mutex_);
      started_.insert(session->id());
      changed_.notify_all();
      // Bounded: a test that fails leaves no thread waiting forever.
      changed_.wait_for(lock, 60s, [&] { return released_ || held_.count(session->id()) == 0; });
      lock.unlock();
      CHECK(session->close().isOk());
      lock.lock();
      closed_.push_back(session->id());
      changed_.notify_all();
    };
  }
  // Opens the gate of every held teardown.
  void release() {
    std::lock_guard<std::mutex> lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }
  // Waits (at most 30 s) until the teardown of `id` has begun / finished.
  bool began(const std::string& id) {
    return waitFor([&] { return started_.count(id) > 0; });
  }
  bool closed(const std::string& id) {
    return waitFor([&] { return std::count(closed_.begin(), closed_.end(), id) > 0; });
  }
  // Whether the teardown of `id` has finished, now.
  bool closedNow(const std::string& id) {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::count(closed_.begin(), closed_.end(), id) > 0;
  }
  std::size_t closedCount() {
    std::lock_guard<std::mutex> lock(mutex_);
    return closed_.size();
  }

private:
  template <class Condition>
  bool waitFor(Condition condition) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, 30s, condition);
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::set<std::string> held_;
  bool released_ = false;
  std::set<std::string> started_;
  std::vector<std::string> closed_;
};

// Opens the gates when a test ends, failed or not, before its janitor waits for its teardowns.
struct ReleaseAtEnd {
  Teardowns& teardowns;
  ~ReleaseAtEnd() { teardowns.release(); }
};

} // namespace

TEST_CASE("janitor: CrashInbox hands over every report once") {
  CrashInbox inbox;
  inbox.post("s1", "signal 9");
  inbox.post("s2", "exit code 1");
  auto reports = inbox.takeAll();
  REQUIRE(reports.size() == 2);
  CHECK(reports[0] == std::make_pair(std::string("s1"), std::string("signal 9")));
  CHECK(inbox.takeAll().empty());
}

TEST_CASE("janitor: a session whose process ended is taken with the cause, and closed") {
  SessionMap sessions;
  auto crashes = std::make_shared<CrashInbox>();
  Teardowns teardowns;
  SessionJanitor janitor(sessions, crashes, teardowns.fn());
  ReleaseAtEnd releaseAtEnd{teardowns};
  auto session = fakeSession("crashed");
  REQUIRE(sessions.add(session));
  REQUIRE(sessions.add(fakeSession("healthy")));
  crashes->post("crashed", "signal 9");
  crashes->post("unknown-owner", "signal 15"); // a process of no live session: ignored
  CHECK(janitor.sweep() == 1);
  CHECK(sessions.find("crashed") == nullptr);
  CHECK(sessions.find("healthy") != nullptr);
  CHECK(session->endCause() == EndCause::Crashed);
  CHECK(sessions.endReason("crashed").find("driver process ended (signal 9)") != std::string::npos);
  CHECK(teardowns.closed("crashed"));
  CHECK(janitor.awaitTeardowns(30s) == 0);
  CHECK(teardowns.closedCount() == 1);
}

TEST_CASE("janitor: idle sessions expire with the reason; used ones stay") {
  SessionMap sessions;
  Teardowns teardowns;
  SessionJanitor janitor(sessions, std::make_shared<CrashInbox>(), teardowns.fn());
  ReleaseAtEnd releaseAtEnd{teardowns};
  auto idle = fakeSession("idle", 0s); // expired at once
  REQUIRE(sessions.add(idle));
  REQUIRE(sessions.add(fakeSession("busy", std::chrono::hours(1))));
  CHECK(janitor.sweep() == 1);
  CHECK(idle->endCause() == EndCause::Idle);
  CHECK(sessions.endReason("idle").find("without a command") != std::string::npos);
  CHECK(sessions.find("busy") != nullptr);
  CHECK(teardowns.closed("idle"));
  CHECK(janitor.sweep() == 0);
}

TEST_CASE("janitor: closeSoon returns before the teardown, which then calls done") {
  SessionMap sessions;
  Teardowns teardowns({"slow"});
  SessionJanitor janitor(sessions, std::make_shared<CrashInbox>(), teardowns.fn());
  ReleaseAtEnd releaseAtEnd{teardowns};
  std::promise<void> done;
  // Returns while the teardown is held at its gate.
  janitor.closeSoon(fakeSession("slow"), [&] { done.set_value(); });
  CHECK(teardowns.began("slow"));
  CHECK_FALSE(teardowns.closedNow("slow"));
  CHECK(janitor.teardownsUnderWay() == 1);
  teardowns.release();
  CHECK(done.get_future().wait_for(30s) == std::future_status::ready);
  CHECK(janitor.awaitTeardowns(30s) == 0);
}

TEST_CASE("janitor: a slow teardown does not delay the idle sweep of another session") {
  SessionMap sessions;
  Teardowns teardowns({"slow"});
  SessionJanitor janitor(sessions, std::make_shared<CrashInbox>(), teardowns.fn());
  ReleaseAtEnd releaseAtEnd{teardowns};
  janitor.start();
  // A Delete's teardown that hangs (a driver that does not answer its DELETE)...
  janitor.closeSoon(fakeSession("slow"));
  REQUIRE(teardowns.began("slow"));
  // ...while another session goes idle: the janitor's own sweep closes it all the same.
  REQUIRE(sessions.add(fakeSession("idle", 0s)));
  CHECK(teardowns.closed("idle"));
  CHECK(sessions.find("idle") == nullptr);
  CHECK_FALSE(teardowns.closedNow("slow")); // still held: the sweep did not wait for it
  teardowns.release();
  CHECK(janitor.awaitTeardowns(30s) == 0);
  janitor.stop();
}

TEST_CASE("janitor: many slow teardowns at once all begin without waiting for each other") {
  SessionMap sessions;
  std::set<std::string> held;
  for (int i = 0; i < 20; ++i)
    held.insert("slow-" + std::to_string(i));
  Teardowns teardowns(held);
  SessionJanitor janitor(sessions, std::make_shared<CrashInbox>(), teardowns.fn());
  ReleaseAtEnd releaseAtEnd{teardowns};
  for (const auto& id : held)
    janitor.closeSoon(fakeSession(id));
  // A few run at once; the others queue, and none is lost.
  CHECK(teardowns.began("slow-0"));
  CHECK(janitor.teardownsUnderWay() == 20);
  teardowns.release();
  for (const auto& id : held)
    CHECK(teardowns.closed(id));
  CHECK(janitor.awaitTeardowns(30s) == 0);
}

TEST_CASE("janitor: stop waits for a teardown under way, and only as long as it is told") {
  SessionMap sessions;
  Teardowns teardowns({"slow"});
  SessionJanitor janitor(sessions, std::make_shared<CrashInbox>(), teardowns.fn());
  ReleaseAtEnd releaseAtEnd{teardowns};
  janitor.start();
  janitor.closeSoon(fakeSession("slow"));
  REQUIRE(teardowns.began("slow"));
  SUBCASE("bounded: it gives up on a teardown that outlasts the bound") {
    janitor.stop(10ms);
    CHECK(janitor.teardownsUnderWay() == 1);
    teardowns.release();
    CHECK(janitor.awaitTeardowns(30s) == 0);
  }
  SUBCASE("it returns once the teardown is done") {
    auto stopped = std::async(std::launch::async, [&] {
      janitor.stop(60s);
      return teardowns.closedNow("slow");
    });
    teardowns.release();
    REQUIRE(stopped.wait_for(60s) == std::future_status::ready);
    CHECK(stopped.get()); // the teardown had finished when stop() returned
  }
}

TEST_CASE("janitor: the sweep runs its extra task every time") {
  SessionMap sessions;
  Teardowns teardowns;
  SessionJanitor janitor(sessions, std::make_shared<CrashInbox>(), teardowns.fn());
  ReleaseAtEnd releaseAtEnd{teardowns};
  int extra = 0;
  janitor.everySweep([&] { ++extra; });
  for (int i = 0; i < 5; ++i)
    janitor.sweep();
  CHECK(extra == 5);
}
