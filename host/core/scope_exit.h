// Running something when a scope ends, however it ends (a return, an exception).
#pragma once

#include <functional>
#include <utility>

namespace wdh {

// Calls `run` once, when destroyed. Not copyable.
class ScopeExit {
public:
  // `run` must not throw.
  explicit ScopeExit(std::function<void()> run) : run_(std::move(run)) {}
  ~ScopeExit() {
    if (run_)
      run_();
  }
  ScopeExit(const ScopeExit&) = delete;
  ScopeExit& operator=(const ScopeExit&) = delete;

private:
  std::function<void()> run_;
};

} // namespace wdh
