// The host's live sessions by id; thread-safe.
#pragma once

#include "session/session.h"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace wdh {

// Live sessions, keyed by the host's session id.
class SessionMap {
public:
  // Adds a session; false if the id is taken.
  bool add(std::shared_ptr<Session> session);
  // The session with `id`, or null.
  std::shared_ptr<Session> find(std::string_view id) const;
  // Removes and returns the session with `id`, or null.
  std::shared_ptr<Session> take(std::string_view id);
  // Removes and returns every session.
  std::vector<std::shared_ptr<Session>> takeAll();
  // How many sessions live.
  std::size_t size() const;

private:
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Session>, std::less<>> sessions_;
};

} // namespace wdh
