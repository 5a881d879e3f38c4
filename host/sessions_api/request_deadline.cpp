#include "sessions_api/request_deadline.h"

#include <algorithm>
#include <string>
#include <thread>

namespace wdh {

RequestDeadline::RequestDeadline(std::chrono::milliseconds budget, std::function<bool()> clientGone)
    : at_(Clock::now() + budget), budget_(budget), clientGone_(std::move(clientGone)) {}

Status RequestDeadline::check() const {
  if (clientGone_ && clientGone_())
    return Status(ErrorCode::UnknownError,
                  "the client closed its connection; the request was abandoned");
  if (Clock::now() >= at_)
    return Status(ErrorCode::Timeout, "the request took longer than its timeout of " +
                                          std::to_string(budget_.count()) + " ms");
  return Status::ok();
}

std::chrono::milliseconds RequestDeadline::left() const {
  auto rest = std::chrono::duration_cast<std::chrono::milliseconds>(at_ - Clock::now());
  return std::max(rest, std::chrono::milliseconds(0));
}

Status RequestDeadline::sleep(std::chrono::milliseconds pause) const {
  const Clock::time_point until = std::min(Clock::now() + pause, at_);
  while (true) {
    auto now = Clock::now();
    Status status = check(); // after `now`: past `until` == the deadline, this is the timeout
    if (!status.isOk() || now >= until)
      return status;
    std::this_thread::sleep_for(
        std::min<Clock::duration>(until - now, std::chrono::milliseconds(100)));
  }
}

} // namespace wdh
