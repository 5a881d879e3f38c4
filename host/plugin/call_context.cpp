#include "plugin/call_context.h"

#include <cstddef>
#include <time.h>

namespace wdh {
namespace {

int32_t WDHOST_CALL contextCancelled(const wdhost_call_context* context) {
  if (context == nullptr || context->host_data == nullptr)
    return 0;
  return static_cast<const CallContext*>(context->host_data)->cancelled() ? 1 : 0;
}

} // namespace

std::uint64_t monotonicMs() noexcept {
  struct timespec now = {0, 0};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1000u +
         static_cast<std::uint64_t>(now.tv_nsec) / 1000000u;
}

std::chrono::steady_clock::time_point steadyTimeOf(std::uint64_t deadlineMs) noexcept {
  auto now = std::chrono::steady_clock::now();
  std::uint64_t current = monotonicMs();
  if (deadlineMs <= current)
    return now;
  // Beyond a year ahead is as good as none (and would overflow the clock's nanoseconds).
  constexpr std::uint64_t kYearMs = 366ull * 24 * 3600 * 1000;
  if (deadlineMs - current > kYearMs)
    return std::chrono::steady_clock::time_point::max();
  return now + std::chrono::milliseconds(deadlineMs - current);
}

CallContext::CallContext(std::chrono::milliseconds timeout)
    : deadline_(timeout.count() > 0 ? std::chrono::steady_clock::now() + timeout
                                    : std::chrono::steady_clock::time_point::max()) {
  table_.struct_size = sizeof(wdhost_call_context);
  table_.reserved = 0;
  table_.deadline_ms =
      timeout.count() > 0 ? monotonicMs() + static_cast<std::uint64_t>(timeout.count()) : 0;
  table_.host_data = this;
  table_.is_cancelled = &contextCancelled;
}

std::chrono::steady_clock::time_point deadlineOf(const wdhost_call_context* context) noexcept {
  if (context == nullptr ||
      context->struct_size <
          offsetof(wdhost_call_context, deadline_ms) + sizeof(context->deadline_ms) ||
      context->deadline_ms == 0)
    return std::chrono::steady_clock::time_point::max();
  return steadyTimeOf(context->deadline_ms);
}

bool isCancelled(const wdhost_call_context* context) noexcept {
  return context != nullptr &&
         context->struct_size >=
             offsetof(wdhost_call_context, is_cancelled) + sizeof(context->is_cancelled) &&
         context->is_cancelled != nullptr && context->is_cancelled(context) != 0;
}

} // namespace wdh
