#include "geckodriver_session.h"

#include "geckodriver_launch.h"

namespace wdhost::firefox {

GeckodriverSession::GeckodriverSession(const wdhost::Host& host, const FirefoxInstall& install,
                                       const FirefoxConfig& config, std::string_view sessionId,
                                       std::string_view capabilities,
                                       const wdhost::Deadline& deadline) {
  // geckodriver writes its temporary profile under TMPDIR: the session's own directory.
  workDir_ = std::make_unique<wdhost::TempDir>(host, sessionId, "geckodriver");
  wdhost::DriverLaunch launch;
  launch.name = "geckodriver";
  uint16_t marionettePort = wdhost::freeLoopbackPort();
  uint16_t websocketPort = wdhost::freeLoopbackPort();
  for (int attempt = 0; attempt < 5 && websocketPort == marionettePort; ++attempt)
    websocketPort = wdhost::freeLoopbackPort();
  if (marionettePort == 0 || websocketPort == 0)
    throw wdhost::Error("session not created", "no free loopback port for Firefox");
  launch.argv =
      geckodriverArgv(install.driverPath, install.browserPath, marionettePort, websocketPort);
  launch.env.push_back("TMPDIR=" + workDir_->path());
  launch.startupTimeoutMs = config.startupTimeoutMs;
  std::string body = geckodriverNewSessionBody(capabilities, install.browserPath, config.headless);
  driver_ = std::make_unique<wdhost::DriverSession>(host, sessionId, launch, body, true, deadline);
}

void GeckodriverSession::teardown() {
  driver_->teardown();
  workDir_.reset();
}

} // namespace wdhost::firefox
