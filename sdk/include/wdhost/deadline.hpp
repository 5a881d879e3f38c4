// Header-only: wdhost::Deadline, the host's call context (ABI 1.3) as a value a plugin bounds
// every wait with: when the host wants the answer, and whether it still wants it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <time.h>
#include <wdhost/plugin.h>

namespace wdhost {

// Milliseconds on CLOCK_MONOTONIC, the clock of wdhost_call_context::deadline_ms.
inline uint64_t monotonicMs() noexcept {
  struct timespec now = {0, 0};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<uint64_t>(now.tv_sec) * 1000u + static_cast<uint64_t>(now.tv_nsec) / 1000000u;
}

// A point in time a plugin call must be done by (or none), plus the host's "still wanted?"
// question. Cheap to copy. One made with of(context) reads that context, so it must not be used
// after the call the context was passed to returns (the context is the host's, for that call).
class Deadline {
public:
  // No deadline, never cancelled.
  Deadline() noexcept = default;

  // No deadline, never cancelled.
  static Deadline none() noexcept { return Deadline(); }

  // `ms` milliseconds from now, never cancelled.
  static Deadline in(uint64_t ms) noexcept {
    Deadline deadline;
    deadline.atMs_ = monotonicMs() + ms;
    return deadline;
  }

  // The host's call context (none when null, or when its struct is too short to hold a field).
  static Deadline of(const wdhost_call_context* context) noexcept {
    Deadline deadline;
    if (context == nullptr)
      return deadline;
    if (offsetof(wdhost_call_context, deadline_ms) + sizeof(context->deadline_ms) <=
        context->struct_size)
      deadline.atMs_ = context->deadline_ms;
    if (offsetof(wdhost_call_context, is_cancelled) + sizeof(context->is_cancelled) <=
        context->struct_size)
      deadline.context_ = context;
    return deadline;
  }

  // The earlier of this deadline and `ms` from now; the same cancellation.
  Deadline within(uint64_t ms) const noexcept {
    Deadline earlier = *this;
    uint64_t at = monotonicMs() + ms;
    if (earlier.atMs_ == 0 || at < earlier.atMs_)
      earlier.atMs_ = at;
    return earlier;
  }

  // True when there is a time limit.
  bool bounded() const noexcept { return atMs_ != 0; }
  // The limit on CLOCK_MONOTONIC in ms, 0 = none.
  uint64_t atMs() const noexcept { return atMs_; }
  // True once the host gave up on the call (wdhost_call_context::is_cancelled). Thread-safe.
  bool cancelled() const noexcept {
    return context_ != nullptr && context_->is_cancelled != nullptr &&
           context_->is_cancelled(context_) != 0;
  }
  // True once the time passed (not counting cancellation).
  bool passed() const noexcept { return atMs_ != 0 && monotonicMs() >= atMs_; }
  // True once the time passed or the host gave up: stop waiting.
  bool expired() const noexcept { return passed() || cancelled(); }

  // Milliseconds left (0 once expired; UINT32_MAX when unbounded).
  uint32_t remainingMs() const noexcept {
    if (cancelled())
      return 0;
    if (atMs_ == 0)
      return UINT32_MAX;
    uint64_t now = monotonicMs();
    if (now >= atMs_)
      return 0;
    uint64_t left = atMs_ - now;
    return left > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(left);
  }

  // `ms`, or less when less is left: what one wait under this deadline may take.
  uint32_t clamp(uint32_t ms) const noexcept {
    uint32_t left = remainingMs();
    return ms < left ? ms : left;
  }

  // Why it expired, for an error message: "the host cancelled the call" or "its deadline
  // passed"; "" while it has not.
  std::string why() const {
    if (cancelled())
      return "the host cancelled the call";
    if (passed())
      return "the host's deadline for it passed";
    return std::string();
  }

  // The host's context this deadline reads, or null (to hand on with wdhost.http/2).
  const wdhost_call_context* context() const noexcept { return context_; }

private:
  uint64_t atMs_ = 0;
  const wdhost_call_context* context_ = nullptr;
};

} // namespace wdhost
