#include "live/live_links.h"

#include "core/uuid.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>
#include <algorithm>

namespace wdh {
namespace {

std::string digestOf(const std::string& secret) {
  Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
  sha.update(secret);
  return Poco::DigestEngine::digestToHex(sha.digest());
}

} // namespace

Status LiveLinks::create(const std::string& sessionId, bool control, std::chrono::seconds lifetime,
                         std::string* secret, LiveLink* link) {
  if (lifetime.count() < 1 || lifetime > kLongest)
    return Status(ErrorCode::InvalidArgument,
                  "a live link lasts 1 to " + std::to_string(kLongest.count()) + " seconds, not " +
                      std::to_string(lifetime.count()));
  std::lock_guard<std::mutex> lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  sweep(now);
  std::size_t mine = 0;
  for (const auto& entry : byDigest_)
    mine += entry.second.sessionId == sessionId ? 1 : 0;
  if (mine >= kPerSession)
    return Status(ErrorCode::UnknownError, "session " + sessionId + " has " +
                                               std::to_string(kPerSession) +
                                               " live links already; revoke one first");
  *secret = randomHex(32);
  link->id = randomHex(8);
  link->sessionId = sessionId;
  link->control = control;
  link->expires = now + lifetime;
  link->expiresWall = std::chrono::system_clock::now() + lifetime;
  byDigest_[digestOf(*secret)] = *link;
  return Status::ok();
}

bool LiveLinks::find(const std::string& secret, LiveLink* link) {
  if (secret.size() != 64)
    return false;
  std::string digest = digestOf(secret);
  std::lock_guard<std::mutex> lock(mutex_);
  sweep(std::chrono::steady_clock::now());
  auto it = byDigest_.find(digest);
  if (it == byDigest_.end())
    return false;
  *link = it->second;
  return true;
}

bool LiveLinks::valid(const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  for (const auto& entry : byDigest_)
    if (entry.second.id == id)
      return entry.second.expires > now;
  return false;
}

bool LiveLinks::revoke(const std::string& sessionId, const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = byDigest_.begin(); it != byDigest_.end(); ++it)
    if (it->second.id == id && it->second.sessionId == sessionId) {
      byDigest_.erase(it);
      return true;
    }
  return false;
}

std::vector<LiveLink> LiveLinks::of(const std::string& sessionId) {
  std::lock_guard<std::mutex> lock(mutex_);
  sweep(std::chrono::steady_clock::now());
  std::vector<LiveLink> links;
  for (const auto& entry : byDigest_)
    if (entry.second.sessionId == sessionId)
      links.push_back(entry.second);
  std::sort(links.begin(), links.end(),
            [](const LiveLink& a, const LiveLink& b) { return a.expires < b.expires; });
  return links;
}

void LiveLinks::dropSession(const std::string& sessionId) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = byDigest_.begin(); it != byDigest_.end();)
    it = it->second.sessionId == sessionId ? byDigest_.erase(it) : std::next(it);
}

void LiveLinks::sweep(std::chrono::steady_clock::time_point now) {
  for (auto it = byDigest_.begin(); it != byDigest_.end();)
    it = it->second.expires <= now ? byDigest_.erase(it) : std::next(it);
}

} // namespace wdh
