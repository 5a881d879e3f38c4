#include "webdriver/session_service.h"

#include "core/log.h"

namespace wdh {

SessionService::SessionService(const PluginRegistry& registry, SessionMap& sessions,
                               HostServices services, SessionSettings settings)
    : lifecycle_(registry, sessions, services, std::move(settings)), commands_(lifecycle_),
      status_(lifecycle_), starter_(lifecycle_) {}

SessionService::~SessionService() {
  closeAll();
}

void SessionService::closeAll(const std::string& reason, EndCause cause) {
  // No session starts from here on: queued requests are answered, browsers started ahead go
  // (those still starting as soon as they are up).
  lifecycle_.stopStarting(kHostShuttingDown);
  // Launches under way are cancelled; one that ignores it is not waited for past the bound.
  if (std::size_t stuck = starter_.stop(kLaunchStopBound); stuck > 0)
    log(LogLevel::Error, "host",
        std::to_string(stuck) + " plugin launch(es) did not return within " +
            std::to_string(kLaunchStopBound.count()) + " s of being cancelled");
  lifecycle_.closeAll(reason, cause);
}

} // namespace wdh
