#include "ui/ui_logins.h"

#include "core/uuid.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>
#include <algorithm>

namespace wdh {
namespace {

// Logins are kept by a digest of their cookie, so that how long a lookup takes tells nothing
// about the cookies that exist.
std::string keyOf(std::string_view cookie) {
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
  engine.update(cookie.data(), static_cast<unsigned>(cookie.size()));
  return Poco::DigestEngine::digestToHex(engine.digest());
}

} // namespace

UiLogins::UiLogins(std::chrono::seconds lifetime, std::size_t maxLogins)
    : lifetime_(lifetime), maxLogins_(std::max<std::size_t>(1, maxLogins)) {}

std::string UiLogins::begin(Role role, Login* login) {
  std::string cookie = randomHex(32);
  Login made{role, randomHex(32), std::chrono::steady_clock::now() + lifetime_};
  std::lock_guard<std::mutex> lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  for (auto it = logins_.begin(); it != logins_.end();)
    it = it->second.expires <= now ? logins_.erase(it) : std::next(it);
  while (logins_.size() >= maxLogins_) {
    auto oldest =
        std::min_element(logins_.begin(), logins_.end(), [](const auto& a, const auto& b) {
          return a.second.expires < b.second.expires;
        });
    logins_.erase(oldest);
  }
  logins_.emplace(keyOf(cookie), made);
  *login = std::move(made);
  return cookie;
}

bool UiLogins::find(std::string_view cookie, Login* login) const {
  if (cookie.empty())
    return false;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = logins_.find(keyOf(cookie));
  if (it == logins_.end() || it->second.expires <= std::chrono::steady_clock::now())
    return false;
  *login = it->second;
  return true;
}

void UiLogins::end(std::string_view cookie) {
  std::string key = keyOf(cookie);
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = logins_.find(key);
  if (it != logins_.end())
    logins_.erase(it);
}

} // namespace wdh
