// One Firefox session through a private geckodriver (the host relays to it over HTTP).
#pragma once

#include "firefox_config.h"
#include "firefox_discovery.h"

#include <memory>
#include <string>
#include <string_view>
#include <wdhost/driver_session.hpp>

namespace wdhost::firefox {

// Starts geckodriver and its session in the constructor (throws wdhost::Error
// "session not created" with the driver's own words on failure, leaving nothing running).
class GeckodriverSession : public wdhost::Session {
public:
  // Every wait is bounded by `deadline`, the launch's.
  GeckodriverSession(const wdhost::Host& host, const FirefoxInstall& install,
                     const FirefoxConfig& config, std::string_view sessionId,
                     std::string_view capabilities, const wdhost::Deadline& deadline);

  // {"capabilities":{..},"upstream":"http://127.0.0.1:N/session/<geckodriver id>"}
  std::string launchReply() const override { return driver_->launchReply(); }

  // Deletes the driver's session, ends geckodriver's tree, removes its temp files.
  void teardown() override;

private:
  std::unique_ptr<wdhost::TempDir> workDir_;
  std::unique_ptr<wdhost::DriverSession> driver_;
};

} // namespace wdhost::firefox
