// What the operator side and schedulers read of the session service: the /status reply, and the
// snapshot /metrics and the status page render.
#pragma once

#include "webdriver/host_snapshot.h"
#include "webdriver/session_lifecycle.h"

#include <string>

namespace wdh {

// Thread-safe; reads only.
class HostStatus {
public:
  // `sessions` must outlive it.
  explicit HostStatus(const SessionLifecycle& sessions) : sessions_(sessions) {}

  // The /status reply: ready, draining, a message, the limits and each plugin's description.
  std::string statusJson() const;
  // The host's state now (without the server's own figures: websockets).
  HostSnapshot snapshot() const;
  // Slots taken by sessions now (live, launching, tearing down), not by browsers started ahead.
  std::size_t sessionSlotsInUse() const;
  // The host-wide session limit.
  std::size_t maxSessions() const noexcept { return sessions_.slots().maxSessions(); }

private:
  const SessionLifecycle& sessions_;
};

} // namespace wdh
