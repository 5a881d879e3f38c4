// Browsers started ahead of New Session: each launched by its plugin under a placeholder id, on
// a launch configuration seen recently, holding a slot, and handed whole to the next New Session
// of that configuration (never to two, never reused after a session).
#pragma once

#include "plugin/loaded_plugin.h"
#include "session/slot_pool.h"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace wdh {

// One browser started ahead.
struct WarmBrowser {
  std::string key;                               // plugin name and launch configuration
  std::string placeholderId;                     // the id it was launched under ("warm-<uuid>")
  std::shared_ptr<LoadedPlugin> plugin;          // who launched it
  wdhost_session* handle = nullptr;              // the plugin's session
  std::string reply;                             // launch()'s reply
  std::string downloadDir;                       // its download directory, or ""
  Slot slot;                                     // the slot it holds
  std::chrono::steady_clock::time_point ready{}; // when its launch finished
};

// The warm browsers and the launches of new ones; thread-safe.
class WarmPool {
public:
  // Takes the oldest ready browser for `key`, or null.
  std::unique_ptr<WarmBrowser> take(const std::string& key);
  // Like take(), but when a browser for `key` is still starting, waits for it (at most
  // `timeout`): it started earlier, so it is ready sooner than a launch begun now. Calls the
  // onWait() task first, when it is to wait.
  std::unique_ptr<WarmBrowser> takeOrWait(const std::string& key,
                                          std::chrono::milliseconds timeout);
  // Sets what runs (outside the pool's lock) when a New Session is about to wait for a browser
  // still starting: the launch it waits for should no longer yield (set before use).
  void onWait(std::function<void()> task) { onWait_ = std::move(task); }
  // Waits (at most `timeout`) until no launch is under way; true when none is.
  bool waitForLaunches(std::chrono::milliseconds timeout);
  // Takes the oldest ready browser of any key (to give its slot to a New Session), or null.
  std::unique_ptr<WarmBrowser> takeOldest();
  // Takes every browser ready since `idle` or longer.
  std::vector<std::unique_ptr<WarmBrowser>> takeIdle(std::chrono::steady_clock::time_point now,
                                                     std::chrono::seconds idle);
  // Takes every browser, and refuses launches from now on.
  std::vector<std::unique_ptr<WarmBrowser>> close();

  // Books a launch for `key`: false when the pool is closed, `key` already has a browser ready or
  // starting, or `limit` browsers are ready or starting.
  bool beginLaunch(const std::string& key, std::size_t limit);
  // Ends a launch begun with beginLaunch(): adds its browser (when not null and the pool is
  // open) and returns null, or hands the browser back when the pool closed meanwhile.
  std::unique_ptr<WarmBrowser> endLaunch(const std::string& key,
                                         std::unique_ptr<WarmBrowser> browser);

  // Browsers ready.
  std::size_t ready() const;
  // Launches under way.
  std::size_t starting() const;

private:
  std::unique_ptr<WarmBrowser> takeLocked(const std::string& key);

  mutable std::mutex mutex_;
  std::condition_variable changed_;                 // a launch ended
  std::vector<std::unique_ptr<WarmBrowser>> ready_; // oldest first
  std::multiset<std::string> starting_;
  bool closed_ = false;
  std::function<void()> onWait_;
};

} // namespace wdh
