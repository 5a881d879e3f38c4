// Time helpers the host shares: the steady clock in milliseconds.
#pragma once

#include <chrono>
#include <cstdint>

namespace wdh {

// Milliseconds on the steady clock (deadlines, sweeps); never goes back.
inline std::int64_t steadyNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

} // namespace wdh
