#include "session/session_map.h"

namespace wdh {

bool SessionMap::add(std::shared_ptr<Session> session) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string id = session->id();
  return sessions_.emplace(std::move(id), std::move(session)).second;
}

std::shared_ptr<Session> SessionMap::find(std::string_view id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second;
}

std::shared_ptr<Session> SessionMap::take(std::string_view id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end())
    return nullptr;
  auto session = std::move(it->second);
  sessions_.erase(it);
  return session;
}

std::vector<std::shared_ptr<Session>> SessionMap::takeAll() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::shared_ptr<Session>> out;
  out.reserve(sessions_.size());
  for (auto& [id, session] : sessions_)
    out.push_back(std::move(session));
  sessions_.clear();
  return out;
}

std::size_t SessionMap::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return sessions_.size();
}

} // namespace wdh
