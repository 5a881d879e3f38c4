#include "session/session_janitor.h"

#include "core/log.h"

#include <chrono>
#include <ctime>
#include <future>

namespace wdh {
namespace {

constexpr std::chrono::milliseconds kSweepInterval{250};

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
    : sessions_(sessions), crashes_(std::move(crashes)), close_(std::move(close)) {}

SessionJanitor::~SessionJanitor() {
  stop();
}

void SessionJanitor::start() {
  thread_ = std::thread([this] { run(); });
}

void SessionJanitor::adopt(Straggler straggler) {
  std::lock_guard<std::mutex> lock(mutex_);
  stragglers_.push_back(std::move(straggler));
}

void SessionJanitor::closeSoon(std::shared_ptr<Session> session, std::function<void()> done) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    toClose_.emplace_back(std::move(session), std::move(done));
  }
  wake_.notify_all();
}

void SessionJanitor::closeQueued() {
  std::vector<std::pair<std::shared_ptr<Session>, std::function<void()>>> queued;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queued.swap(toClose_);
  }
  // In parallel: one slow teardown must not hold up the others.
  std::vector<std::future<void>> pending;
  for (auto& [session, done] : queued)
    pending.push_back(std::async(std::launch::async, [this, session = session, done = done] {
      close_(session);
      if (done)
        done();
    }));
  for (auto& finished : pending)
    finished.wait();
}

std::size_t SessionJanitor::closeAll(std::vector<std::shared_ptr<Session>> sessions) {
  std::vector<std::future<void>> pending;
  for (auto& session : sessions)
    pending.push_back(std::async(std::launch::async, [this, session] { close_(session); }));
  for (auto& done : pending)
    done.wait();
  return sessions.size();
}

std::size_t SessionJanitor::sweep() {
  closeQueued();
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
  std::vector<Straggler> stragglers;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stragglers.swap(stragglers_);
  }
  std::vector<Straggler> unfinished;
  for (auto& straggler : stragglers)
    if (!straggler())
      unfinished.push_back(std::move(straggler));
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& straggler : unfinished)
      stragglers_.push_back(std::move(straggler));
  }
  std::size_t closed = closeAll(std::move(ending));
  if (everySweep_)
    everySweep_();
  return closed;
}

void SessionJanitor::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, kSweepInterval);
    if (stopping_)
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

void SessionJanitor::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ && !thread_.joinable())
      return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
  closeQueued();
  // Launches that outlived their timeout end soon: their processes were already terminated.
  for (int round = 0; round < 600; ++round) {
    std::vector<Straggler> stragglers;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stragglers.swap(stragglers_);
    }
    if (stragglers.empty())
      return;
    std::vector<Straggler> unfinished;
    for (auto& straggler : stragglers)
      if (!straggler())
        unfinished.push_back(std::move(straggler));
    std::lock_guard<std::mutex> lock(mutex_);
    stragglers_ = std::move(unfinished);
    if (stragglers_.empty())
      return;
    struct timespec pause = {0, 100 * 1000 * 1000};
    nanosleep(&pause, nullptr);
  }
}

} // namespace wdh
