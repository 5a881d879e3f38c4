// The host's live sessions by id, and why recently ended ones ended; thread-safe.
#pragma once

#include "session/session.h"

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace wdh {

// Live sessions, keyed by the host's session id.
class SessionMap {
public:
  // Adds a session; false if the id is taken or the map was closed by takeAll().
  bool add(std::shared_ptr<Session> session);
  // The session with `id`, or null.
  std::shared_ptr<Session> find(std::string_view id) const;
  // Removes and returns the session with `id` (or null), remembering `reason` for later
  // commands on it ("was deleted", "expired after 200 s without a command").
  std::shared_ptr<Session> take(std::string_view id, const std::string& reason);
  // Removes and returns every session, remembering `reason`; later adds are refused (the host
  // is shutting down).
  std::vector<std::shared_ptr<Session>> takeAll(const std::string& reason);
  // True once takeAll() ran.
  bool closed() const;
  // Every live session (for the idle sweep).
  std::vector<std::shared_ptr<Session>> all() const;
  // Why session `id` ended, if it ended recently; "" otherwise.
  std::string endReason(std::string_view id) const;
  // How many sessions live.
  std::size_t size() const;

private:
  void rememberLocked(const std::string& id, const std::string& reason);

  static constexpr std::size_t kRememberedEnds = 4096;
  mutable std::mutex mutex_;
  bool closed_ = false;
  std::map<std::string, std::shared_ptr<Session>, std::less<>> sessions_;
  std::map<std::string, std::string, std::less<>> ended_;
  std::deque<std::string> endedOrder_;
};

} // namespace wdh
