// One sessions-API request's bound: a deadline for all its steps (page load, browserActions
// however nested or repeated, read-back) and whether its client has hung up.
#pragma once

#include "core/status.h"

#include <chrono>
#include <functional>

namespace wdh {

// Checked at every step of a request; copyable, cheap.
class RequestDeadline {
public:
  // The clock every deadline is on.
  using Clock = std::chrono::steady_clock;

  // `budget` from now; `clientGone` (may be empty) says the client closed its connection.
  RequestDeadline(std::chrono::milliseconds budget, std::function<bool()> clientGone);

  // Ok while time is left and the client is there; Timeout naming the budget, or UnknownError
  // when the client left, otherwise.
  Status check() const;
  // What is left, at least 0.
  std::chrono::milliseconds left() const;
  // Sleeps `pause` (capped to what is left), looking at the client every 100 ms; then check().
  Status sleep(std::chrono::milliseconds pause) const;
  // The budget it was made with.
  std::chrono::milliseconds budget() const { return budget_; }

private:
  Clock::time_point at_;
  std::chrono::milliseconds budget_;
  std::function<bool()> clientGone_;
};

} // namespace wdh
