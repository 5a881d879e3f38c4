// The WebDriver session commands the host itself serves: New Session, Delete Session,
// Status, and every other session command relayed to the session's backend.
#pragma once

#include "core/status.h"
#include "plugin/host_table.h"
#include "plugin/plugin_registry.h"
#include "relay/upstream.h"
#include "session/session_map.h"

#include <chrono>
#include <string>
#include <string_view>

namespace wdh {

// Timeouts the session service applies.
struct SessionSettings {
  std::chrono::milliseconds commandTimeout{std::chrono::minutes(6)}; // wait for one relayed answer
  std::chrono::milliseconds teardownGrace{std::chrono::seconds(2)};  // SIGTERM -> SIGKILL
};

// Creates, relays and closes sessions; thread-safe.
class SessionService {
public:
  // Borrowed references must outlive the service.
  SessionService(const PluginRegistry& registry, SessionMap& sessions, HostServices services,
                 SessionSettings settings);

  // New Session: `body` is the request body; *response is the JSON reply on success.
  Status newSession(std::string_view body, std::string* response);

  // Delete Session: tears the session down; InvalidSessionId if unknown.
  Status deleteSession(std::string_view id);

  // Any other session command, relayed as is; `suffix` follows /session/{id}.
  Status execute(std::string_view id, std::string_view method, std::string_view suffix,
                 std::string_view body, RelayResponse* out);

  // The /status reply.
  std::string statusJson() const;

  // Closes every session in parallel; returns when all are gone.
  void closeAll();

private:
  Status launchOn(const std::shared_ptr<LoadedPlugin>& plugin, const std::string& capabilities,
                  std::string* response);
  void reclaim(const std::string& sessionId);
  Status closeSession(const std::shared_ptr<Session>& session);

  const PluginRegistry& registry_;
  SessionMap& sessions_;
  HostServices services_;
  SessionSettings settings_;
};

} // namespace wdh
