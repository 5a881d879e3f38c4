// Hand-off links: a secret that opens one session's live view (to watch, or also to take
// control) for someone without the host's token, until it expires, is revoked, or its session
// ends. Only a digest of each secret is kept, and no secret is ever logged.
#pragma once

#include "core/status.h"

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace wdh {

// One link, as its owner sees it (never its secret).
struct LiveLink {
  std::string id;        // names it to revoke it (not a secret)
  std::string sessionId; // the one session it opens
  bool control = false;  // the person may take control
  std::chrono::steady_clock::time_point expires;
  std::chrono::system_clock::time_point expiresWall; // the same, for people
};

// Every link of the host. Thread-safe.
class LiveLinks {
public:
  // Longest and default lifetimes, and the most links one session may have at once.
  static constexpr std::chrono::seconds kLongest{24 * 3600};
  static constexpr std::chrono::seconds kDefault{15 * 60};
  static constexpr std::size_t kPerSession = 16;

  // A new link to session `sessionId` for `lifetime` (1 s to kLongest): Ok with its secret in
  // *secret (64 hex digits) and the link in *link; InvalidArgument for a lifetime out of range,
  // UnknownError when the session has kPerSession links already.
  Status create(const std::string& sessionId, bool control, std::chrono::seconds lifetime,
                std::string* secret, LiveLink* link);
  // The live link whose secret is `secret`, if any (expired ones are forgotten here).
  bool find(const std::string& secret, LiveLink* link);
  // True while link `id` is neither expired nor revoked.
  bool valid(const std::string& id);
  // Revokes link `id` of session `sessionId`; false when it has no such link.
  bool revoke(const std::string& sessionId, const std::string& id);
  // The live links of session `sessionId`, the soonest to expire first.
  std::vector<LiveLink> of(const std::string& sessionId);
  // Forgets every link of session `sessionId` (it ended).
  void dropSession(const std::string& sessionId);

private:
  // Forgets expired links; mutex_ held.
  void sweep(std::chrono::steady_clock::time_point now);
  std::mutex mutex_;
  std::map<std::string, LiveLink> byDigest_; // the SHA-256 of a secret, hex, to its link
};

} // namespace wdh
