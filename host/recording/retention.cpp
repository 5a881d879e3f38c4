#include "recording/retention.h"

#include <algorithm>
#include <cctype>

namespace wdh {
namespace {

bool containsNoCase(std::string_view text, std::string_view needle) {
  auto it = std::search(text.begin(), text.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
  return it != text.end();
}

} // namespace

const char* outcomeName(SessionOutcome outcome) noexcept {
  switch (outcome) {
  case SessionOutcome::Passed:
    return "passed";
  case SessionOutcome::Failed:
    return "failed";
  case SessionOutcome::Unknown:
    break;
  }
  return "unknown";
}

SessionOutcome afterEvent(SessionOutcome before, std::string_view eventType) {
  if (before == SessionOutcome::Failed)
    return before;
  for (std::string_view failure : {":failed", ":failure", ":error", ":aborted"})
    if (containsNoCase(eventType, failure))
      return SessionOutcome::Failed;
  if (containsNoCase(eventType, ":passed"))
    return SessionOutcome::Passed;
  return before;
}

bool keepRecording(bool onFailureOnly, SessionOutcome outcome, EndCause cause) {
  return !onFailureOnly || outcome != SessionOutcome::Passed || cause != EndCause::Deleted;
}

std::vector<std::string> overBudget(std::vector<StoredRecording> stored,
                                    std::chrono::system_clock::time_point now,
                                    std::chrono::seconds maxAge, std::uint64_t maxBytes) {
  std::sort(stored.begin(), stored.end(), [](const StoredRecording& a, const StoredRecording& b) {
    return a.modified < b.modified || (a.modified == b.modified && a.file < b.file);
  });
  std::uint64_t total = 0;
  for (const StoredRecording& r : stored)
    total += r.size;
  std::vector<std::string> out;
  for (const StoredRecording& r : stored) {
    bool tooOld = maxAge.count() > 0 && now - r.modified > maxAge;
    bool tooMuch = maxBytes > 0 && total > maxBytes;
    if (!tooOld && !tooMuch)
      continue;
    out.push_back(r.file);
    total -= r.size;
  }
  return out;
}

} // namespace wdh
