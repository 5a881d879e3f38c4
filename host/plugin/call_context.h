// The host's side of one wdhost_call_context (ABI 1.3): the deadline of a launch_ctx() or
// command_ctx() call and the flag that says the host gave up on it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <wdhost/plugin.h>

namespace wdh {

// Milliseconds on CLOCK_MONOTONIC, the clock of wdhost_call_context::deadline_ms.
std::uint64_t monotonicMs() noexcept;

// The steady_clock time of `deadlineMs` on CLOCK_MONOTONIC (now, when it already passed;
// time_point::max(), as for no deadline, when it is more than a year ahead).
std::chrono::steady_clock::time_point steadyTimeOf(std::uint64_t deadlineMs) noexcept;

// One call's context: created before the call, alive until it returned (the plugin may read it
// from any thread meanwhile), cancelled from any thread. Not copyable: the plugin holds its
// address.
class CallContext {
public:
  // A context whose deadline is `timeout` from now; no deadline when `timeout` is zero.
  explicit CallContext(std::chrono::milliseconds timeout);
  CallContext(const CallContext&) = delete;
  CallContext& operator=(const CallContext&) = delete;

  // The C struct to pass to the plugin; valid while this object lives.
  const wdhost_call_context* table() const noexcept { return &table_; }
  // Makes is_cancelled() answer true from now on. Thread-safe, idempotent.
  void cancel() noexcept { cancelled_.store(true); }
  // True once cancel() ran. Thread-safe.
  bool cancelled() const noexcept { return cancelled_.load(); }
  // The deadline on steady_clock (time_point::max() without one).
  std::chrono::steady_clock::time_point deadline() const noexcept { return deadline_; }

private:
  wdhost_call_context table_{};
  std::chrono::steady_clock::time_point deadline_;
  std::atomic<bool> cancelled_{false};
};

// What a context a plugin handed back (e.g. in a wdhost.http/2 request) says: its deadline
// (steady_clock; max() without one) and whether it is cancelled now. Reads only the fields its
// struct_size covers; a null context has neither.
std::chrono::steady_clock::time_point deadlineOf(const wdhost_call_context* context) noexcept;
bool isCancelled(const wdhost_call_context* context) noexcept;

} // namespace wdh
