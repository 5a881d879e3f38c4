#include "plugin/launch_threads.h"

#include "core/log.h"

#include <algorithm>
#include <set>
#include <thread>
#include <utility>

namespace wdh {

// One launch call: its context, and what it produced once done.
struct LaunchThreads::Call {
  explicit Call(std::chrono::milliseconds deadline) : context(deadline) {}
  CallContext context;
  bool done = false;      // the plugin returned (guarded by State::mutex)
  bool abandoned = false; // the host stopped waiting for it (guarded by State::mutex)
  LaunchOutcome outcome;  // set when done
};

// What the threads share with the host; outlives LaunchThreads while any thread runs.
struct LaunchThreads::State {
  Cleanup cleanup;
  mutable std::mutex mutex;
  std::condition_variable changed;
  std::size_t running = 0;
  bool stopped = false;
  std::set<std::shared_ptr<Call>> calls; // launches under way

  // Counts one thread out; wakes stop().
  void finished() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      --running;
    }
    changed.notify_all();
  }
};

namespace {

LaunchOutcome failed(std::string why) {
  LaunchOutcome outcome;
  outcome.status = Status(ErrorCode::SessionNotCreated, std::move(why));
  return outcome;
}

} // namespace

LaunchBounds LaunchBounds::forTimeout(std::chrono::milliseconds timeout) {
  auto reserve = std::min<std::chrono::milliseconds>(timeout / 4, std::chrono::seconds(2));
  return LaunchBounds{timeout - reserve, timeout};
}

LaunchThreads::LaunchThreads(Cleanup cleanup) : state_(std::make_shared<State>()) {
  state_->cleanup = std::move(cleanup);
}

LaunchThreads::~LaunchThreads() {
  stop(std::chrono::seconds(10));
}

LaunchOutcome LaunchThreads::launch(const std::shared_ptr<LoadedPlugin>& plugin,
                                    const std::string& id, const std::string& capabilities,
                                    LaunchBounds bounds, bool* timedOut) {
  if (timedOut != nullptr)
    *timedOut = false;
  auto call = std::make_shared<Call>(bounds.deadline);
  std::shared_ptr<State> state = state_;
  {
    std::lock_guard<std::mutex> lock(state->mutex);
    if (state->stopped)
      return failed("the host is shutting down");
    state->calls.insert(call);
    ++state->running;
  }
  try {
    std::thread([state, call, plugin, id, capabilities] {
      LaunchOutcome outcome;
      try {
        outcome.status =
            plugin->launch(id, capabilities, call->context, &outcome.handle, &outcome.reply);
      } catch (const std::exception& e) {
        outcome.status = Status(ErrorCode::SessionNotCreated, e.what());
      }
      bool abandoned = false;
      {
        std::lock_guard<std::mutex> lock(state->mutex);
        abandoned = call->abandoned;
        call->outcome = abandoned ? LaunchOutcome{} : std::move(outcome);
        call->done = true;
      }
      state->changed.notify_all();
      if (abandoned) {
        // Nobody takes this launch any more: its session goes, and what the host gave it.
        if (outcome.status.isOk() && outcome.handle != nullptr)
          plugin->teardown(outcome.handle);
        bool stopped = false;
        {
          std::lock_guard<std::mutex> lock(state->mutex);
          stopped = state->stopped;
        }
        if (!stopped && state->cleanup)
          state->cleanup(id);
        log(LogLevel::Debug, "session",
            id + " on " + plugin->name() + ": a launch the host gave up on returned",
            LogFields{id, plugin->name()});
      }
      {
        std::lock_guard<std::mutex> lock(state->mutex);
        state->calls.erase(call);
      }
      state->finished();
    }).detach();
  } catch (const std::exception& e) {
    {
      std::lock_guard<std::mutex> lock(state->mutex);
      state->calls.erase(call);
    }
    state->finished();
    return failed(std::string("cannot start a launch thread: ") + e.what());
  }
  std::unique_lock<std::mutex> lock(state->mutex);
  auto until = std::chrono::steady_clock::now() + bounds.wait;
  state->changed.wait_until(lock, until, [&] { return call->done || state->stopped; });
  if (call->done)
    return std::move(call->outcome);
  call->abandoned = true;
  call->context.cancel();
  bool stopped = state->stopped;
  if (timedOut != nullptr)
    *timedOut = !stopped;
  return failed(stopped ? "the host is shutting down" : "the launch timed out");
}

bool LaunchThreads::run(std::function<void()> task) {
  std::shared_ptr<State> state = state_;
  {
    std::lock_guard<std::mutex> lock(state->mutex);
    if (state->stopped)
      return false;
    ++state->running;
  }
  try {
    std::thread([state, task = std::move(task)] {
      try {
        task();
      } catch (const std::exception& e) {
        log(LogLevel::Error, "session", std::string("a background launch failed: ") + e.what());
      }
      state->finished();
    }).detach();
  } catch (const std::exception& e) {
    log(LogLevel::Error, "session", std::string("cannot start a launch thread: ") + e.what());
    state->finished();
    return false;
  }
  return true;
}

std::size_t LaunchThreads::stop(std::chrono::milliseconds bound) {
  std::unique_lock<std::mutex> lock(state_->mutex);
  state_->stopped = true;
  for (const std::shared_ptr<Call>& call : state_->calls)
    call->context.cancel();
  state_->changed.notify_all();
  state_->changed.wait_for(lock, bound, [&] { return state_->running == 0; });
  return state_->running;
}

std::size_t LaunchThreads::running() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->running;
}

} // namespace wdh
