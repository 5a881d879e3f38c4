// One live WebDriver session: the host's id, the plugin serving it, and its relay.
#pragma once

#include "core/status.h"
#include "plugin/loaded_plugin.h"
#include "relay/upstream.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

namespace wdh {

// A session created by a plugin's launch(); closed exactly once (by Delete, or the host).
class Session {
public:
  // Takes ownership of the plugin's `handle`; `upstream` is null for in-process plugins.
  Session(std::string id, std::shared_ptr<LoadedPlugin> plugin, wdhost_session* handle,
          std::unique_ptr<Upstream> upstream);
  // Closes the session if nobody did.
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // The host's session id (a UUID v4).
  const std::string& id() const noexcept { return id_; }
  // The plugin serving this session.
  const LoadedPlugin& plugin() const noexcept { return *plugin_; }

  // Runs one command: relays it upstream or to the plugin's command hook. `suffix` is what
  // follows /session/{id} ("/url"). InvalidSessionId once the session is closed.
  Status execute(std::string_view method, std::string_view suffix, std::string_view body,
                 std::chrono::milliseconds timeout, RelayResponse* out);

  // Tears the session down once; later calls return OK and do nothing. Thread-safe.
  Status close();

  // When the last command arrived.
  std::chrono::steady_clock::time_point lastUsed() const noexcept;

private:
  void touch() noexcept;

  std::string id_;
  std::shared_ptr<LoadedPlugin> plugin_;
  wdhost_session* handle_;
  std::unique_ptr<Upstream> upstream_;
  std::mutex pluginMutex_; // serialises calls into the plugin for this session
  std::atomic<bool> closed_{false};
  std::atomic<std::chrono::steady_clock::rep> lastUsed_;
};

} // namespace wdh
