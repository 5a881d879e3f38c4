#include "session/session_janitor.h"

#include "core/log.h"

#include <chrono>
#include <ctime>
#include <limits>

namespace wdh {
namespace {

constexpr std::chrono::milliseconds kSweepInterval{250};
// Teardowns mostly wait (on a driver, a grace period, a kill): a few threads overlap them, and
// more queue in order rather than start a thread each.
constexpr std::size_t kTeardownThreads = 8;

} // namespace

std::string wallClockNow() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

void CrashInbox::post(const std::string& owner, const std::string& how) {
  std::lock_guard<std::mutex> lock(mutex_);
  reports_.emplace_back(owner, how);
}

std::vector<std::pair<std::string, std::string>> CrashInbox::takeAll() {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::move(reports_);
}

SessionJanitor::SessionJanitor(SessionMap& sessions, std::shared_ptr<CrashInbox> crashes,
                               CloseFn close)
    : sessions_(sessions), crashes_(std::move(crashes)), close_(std::move(close)),
      pool_(kTeardownThreads, std::numeric_limits<std::size_t>::max()) {}

SessionJanitor::~SessionJanitor() {
  stop();
}

void SessionJanitor::start() {
  thread_ = std::thread([this] { run(); });
}

void SessionJanitor::closeSoon(std::shared_ptr<Session> session, std::function<void()> done) {
  closeOnPool(std::move(session), std::move(done));
}

void SessionJanitor::closeOnPool(std::shared_ptr<Session> session, std::function<void()> done) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++teardowns_;
  }
  JobExecutor::Job job = [this, session = std::move(session), done = std::move(done)] {
    try {
      close_(session);
    } catch (const std::exception& e) {
      log(LogLevel::Error, "session", session->id() + ": teardown failed: " + e.what());
    } catch (...) {
      log(LogLevel::Error, "session", session->id() + ": teardown failed");
    }
    if (done)
      done();
    std::lock_guard<std::mutex> lock(mutex_);
    --teardowns_;
    tornDown_.notify_all();
  };
  // The backlog is unbounded, so this is refused only when no thread can be started at all.
  if (!pool_.trySubmit(job))
    job();
}

std::size_t SessionJanitor::teardownsUnderWay() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return teardowns_;
}

std::size_t SessionJanitor::awaitTeardowns(std::chrono::milliseconds bound) {
  std::unique_lock<std::mutex> lock(mutex_);
  tornDown_.wait_for(lock, bound, [this] { return teardowns_ == 0; });
  return teardowns_;
}

std::size_t SessionJanitor::sweep() {
  std::vector<std::shared_ptr<Session>> ending;
  for (const auto& [owner, how] : crashes_->takeAll()) {
    auto session = sessions_.take(owner, "its browser's driver process ended (" + how + ") at " +
                                             wallClockNow());
    if (session) {
      session->markEnded(EndCause::Crashed);
      log(LogLevel::Warn, "session",
          owner + ": the driver process ended (" + how + "); closing the session",
          LogFields{owner, session->plugin().name()});
      ending.push_back(std::move(session));
    }
  }
  auto now = std::chrono::steady_clock::now();
  for (const auto& session : sessions_.all()) {
    if (!session->idleExpired(now))
      continue;
    auto taken = sessions_.take(session->id(), "it expired at " + wallClockNow() + " after " +
                                                   std::to_string(session->idleTimeout().count()) +
                                                   " s without a command");
    if (taken) {
      taken->markEnded(EndCause::Idle);
      log(LogLevel::Info, "session", session->id() + ": idle timeout, closing",
          LogFields{session->id(), session->plugin().name()});
      ending.push_back(std::move(taken));
    }
  }
  std::size_t taken = ending.size();
  for (auto& session : ending)
    closeOnPool(std::move(session), {});
  if (everySweep_)
    everySweep_();
  return taken;
}

void SessionJanitor::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  // A fixed cadence: the next sweep is due one interval after the last was due, however long
  // that one took (it never waits on a teardown).
  auto due = std::chrono::steady_clock::now();
  while (!stopping_) {
    due = std::max(due + kSweepInterval, std::chrono::steady_clock::now());
    if (wake_.wait_until(lock, due, [this] { return stopping_; }))
      break;
    lock.unlock();
    try {
      sweep();
    } catch (const std::exception& e) {
      log(LogLevel::Error, "session", std::string("sweep failed: ") + e.what());
    }
    lock.lock();
  }
}

void SessionJanitor::stop(std::chrono::milliseconds teardownWait) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ && !thread_.joinable())
      return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
  if (std::size_t left = awaitTeardowns(teardownWait))
    log(LogLevel::Error, "session",
        std::to_string(left) + " teardown(s) still running after " +
            std::to_string(teardownWait.count()) + " ms; stopping without them");
}

} // namespace wdh
