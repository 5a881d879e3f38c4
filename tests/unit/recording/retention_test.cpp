#include "recording/retention.h"

#include <doctest/doctest.h>

using namespace wdh;

TEST_CASE("retention: Grid's failure event types, in any case, and a failure is never undone") {
  SessionOutcome none = SessionOutcome::Unknown;
  CHECK(afterEvent(none, "test:failed") == SessionOutcome::Failed);
  CHECK(afterEvent(none, "Test:FAILURE") == SessionOutcome::Failed);
  CHECK(afterEvent(none, "suite:error") == SessionOutcome::Failed);
  CHECK(afterEvent(none, "run:aborted") == SessionOutcome::Failed);
  CHECK(afterEvent(none, "test:passed") == SessionOutcome::Passed);
  CHECK(afterEvent(none, "test:started") == SessionOutcome::Unknown);
  CHECK(afterEvent(none, "failed") == SessionOutcome::Unknown); // no "type:" prefix
  CHECK(afterEvent(none, "marker:add") == SessionOutcome::Unknown);
  CHECK(afterEvent(SessionOutcome::Failed, "test:passed") == SessionOutcome::Failed);
  CHECK(afterEvent(SessionOutcome::Passed, "test:failed") == SessionOutcome::Failed);
  CHECK(std::string(outcomeName(SessionOutcome::Failed)) == "failed");
  CHECK(std::string(outcomeName(SessionOutcome::Unknown)) == "unknown");
}

TEST_CASE("retention: without retain-on-failure every video is kept") {
  for (EndCause cause : {EndCause::Deleted, EndCause::Idle, EndCause::Crashed})
    for (SessionOutcome outcome :
         {SessionOutcome::Unknown, SessionOutcome::Passed, SessionOutcome::Failed})
      CHECK(keepRecording(false, outcome, cause));
}

TEST_CASE("retention: on failure, deleted only when said passed and ended by Delete Session") {
  // Nobody said how it went: the outcome is unknown, so the video stays.
  CHECK(keepRecording(true, SessionOutcome::Unknown, EndCause::Deleted));
  CHECK_FALSE(keepRecording(true, SessionOutcome::Passed, EndCause::Deleted));
  CHECK(keepRecording(true, SessionOutcome::Failed, EndCause::Deleted));
  for (EndCause cause :
       {EndCause::Idle, EndCause::Crashed, EndCause::Shutdown, EndCause::Drained, EndCause::None}) {
    CHECK(keepRecording(true, SessionOutcome::Unknown, cause));
    CHECK(keepRecording(true, SessionOutcome::Passed, cause));
  }
}

TEST_CASE("retention: the directory's age and size budget take the oldest first") {
  using namespace std::chrono;
  system_clock::time_point now = system_clock::time_point(hours(1000));
  std::vector<StoredRecording> stored = {{"c.mp4", 300, now - minutes(1)},
                                         {"a.mp4", 100, now - hours(50)},
                                         {"b.mp4", 200, now - hours(2)}};
  CHECK(overBudget(stored, now, seconds(0), 0).empty());
  CHECK(overBudget(stored, now, hours(24), 0) == std::vector<std::string>{"a.mp4"});
  CHECK(overBudget(stored, now, seconds(0), 600).empty());
  CHECK(overBudget(stored, now, seconds(0), 599) == std::vector<std::string>{"a.mp4"});
  CHECK(overBudget(stored, now, seconds(0), 300) == std::vector<std::string>{"a.mp4", "b.mp4"});
  CHECK(overBudget(stored, now, seconds(0), 1) ==
        std::vector<std::string>{"a.mp4", "b.mp4", "c.mp4"});
  CHECK(overBudget(stored, now, hours(1), 10000) == std::vector<std::string>{"a.mp4", "b.mp4"});
}
