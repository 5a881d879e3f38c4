#include "sessions_api/session_networks.h"

#include <Poco/URI.h>

namespace wdh {

void SessionNetworks::add(const std::string& id, Route route) {
  std::lock_guard<std::mutex> lock(mutex_);
  routes_[id] = std::move(route);
}

void SessionNetworks::forget(const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  routes_.erase(id);
}

std::size_t SessionNetworks::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return routes_.size();
}

void SessionNetworks::sessionEnding(const std::string& id, std::uint16_t, const std::string&) {
  forget(id);
}

void SessionNetworks::allowNavigation(const std::string& id, const std::string& url) {
  std::shared_ptr<ForwardingProxy> proxy;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = routes_.find(id);
    if (it != routes_.end())
      proxy = it->second.local.lock();
  }
  if (proxy) {
    try {
      proxy->allowHost(Poco::URI(url).getHost());
    } catch (...) {
      // An unparsable URL is refused by the browser itself.
    }
  }
}

SessionNetworks::Route SessionNetworks::routeOf(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = routes_.find(id);
  return it == routes_.end() ? Route{} : it->second;
}

void SessionNetworks::allowActionNavigation(const std::string& id,
                                            const rapidjson::Value& actions) {
  if (!actions.IsArray())
    return;
  for (const auto& action : actions.GetArray()) {
    if (!action.IsObject())
      continue;
    if (action.HasMember("url") && action["url"].IsString())
      allowNavigation(id, action["url"].GetString());
    for (const char* nested : {"then", "or"})
      if (action.HasMember(nested))
        allowActionNavigation(id, action[nested]);
  }
}

} // namespace wdh
