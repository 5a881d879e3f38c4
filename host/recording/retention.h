// What the host keeps of its recordings: a session's video after the session (on failure only,
// when asked), and the directory within an age and a size budget.
#pragma once

#include "session/end_cause.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wdh {

// How a session went, as its client said (Grid's session events).
enum class SessionOutcome {
  Unknown, // nobody said
  Passed,  // an event type holding ":passed" came, and none that failed
  Failed,  // an event type holding ":failed", ":failure", ":error" or ":aborted" came
};

// The name /wdhost/recordings shows: "unknown", "passed" or "failed".
const char* outcomeName(SessionOutcome outcome) noexcept;

// The outcome after an event of `eventType` (e.g. "test:failed"), matched without regard to
// case, once the session's outcome was `before`: a failure is never undone.
SessionOutcome afterEvent(SessionOutcome before, std::string_view eventType);

// Whether a finished video is kept. Without retain-on-failure (`onFailureOnly` false), always.
// With it: unless the client said the session passed (and nothing failed) and the session ended
// by Delete Session. A failure said, an abnormal end (idle timeout, crash, shutdown, drain) or an
// outcome nobody said keeps it: a test that fails without saying so still has its video.
bool keepRecording(bool onFailureOnly, SessionOutcome outcome, EndCause cause);

// A finished recording on disk.
struct StoredRecording {
  std::string file;
  std::uint64_t size = 0;
  std::chrono::system_clock::time_point modified;
};

// Which of `stored` go so that none is older than `maxAge` (0: no limit) at `now` and, after
// that, they add up to `maxBytes` at most (0: no limit), the oldest first.
std::vector<std::string> overBudget(std::vector<StoredRecording> stored,
                                    std::chrono::system_clock::time_point now,
                                    std::chrono::seconds maxAge, std::uint64_t maxBytes);

} // namespace wdh
