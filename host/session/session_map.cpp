#include "session/session_map.h"

namespace wdh {

bool SessionMap::add(std::shared_ptr<Session> session) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closed_)
    return false;
  std::string id = session->id();
  return sessions_.emplace(std::move(id), std::move(session)).second;
}

std::shared_ptr<Session> SessionMap::find(std::string_view id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second;
}

void SessionMap::rememberLocked(const std::string& id, const std::string& reason) {
  if (ended_.emplace(id, reason).second) {
    endedOrder_.push_back(id);
    if (endedOrder_.size() > kRememberedEnds) {
      ended_.erase(endedOrder_.front());
      endedOrder_.pop_front();
    }
  }
}

std::shared_ptr<Session> SessionMap::take(std::string_view id, const std::string& reason) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end())
    return nullptr;
  auto session = std::move(it->second);
  sessions_.erase(it);
  rememberLocked(session->id(), reason);
  return session;
}

std::vector<std::shared_ptr<Session>> SessionMap::takeAll(const std::string& reason) {
  std::lock_guard<std::mutex> lock(mutex_);
  closed_ = true;
  std::vector<std::shared_ptr<Session>> out;
  out.reserve(sessions_.size());
  for (auto& [id, session] : sessions_) {
    rememberLocked(id, reason);
    out.push_back(std::move(session));
  }
  sessions_.clear();
  return out;
}

bool SessionMap::closed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return closed_;
}

std::vector<std::shared_ptr<Session>> SessionMap::all() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::shared_ptr<Session>> out;
  out.reserve(sessions_.size());
  for (const auto& [id, session] : sessions_)
    out.push_back(session);
  return out;
}

std::string SessionMap::endReason(std::string_view id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = ended_.find(id);
  return it == ended_.end() ? std::string() : it->second;
}

std::size_t SessionMap::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return sessions_.size();
}

} // namespace wdh
