// Time helpers the host shares: the steady clock in milliseconds, and durations as Poco takes
// them.
#pragma once

#include <Poco/Timespan.h>
#include <algorithm>
#include <chrono>
#include <cstdint>

namespace wdh {

// Milliseconds on the steady clock (deadlines, sweeps); never goes back.
inline std::int64_t steadyNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// `duration` as a Poco::Timespan (socket and session timeouts).
inline Poco::Timespan toTimespan(std::chrono::milliseconds duration) {
  return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(duration.count()) * 1000);
}

// What is left until `deadline` as a Poco::Timespan, at least 1 ms (Poco reads a zero timeout
// as none).
inline Poco::Timespan timespanUntil(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return toTimespan(std::max(left, std::chrono::milliseconds(1)));
}

} // namespace wdh
