// One Chrome session: a private chromedriver, a private profile, and the driver's session.
#pragma once

#include "chrome_config.h"
#include "chrome_discovery.h"

#include <memory>
#include <string>
#include <string_view>
#include <wdhost/driver_session.hpp>

namespace chrome {

// Starts chromedriver and a browser session in the constructor (throws wdhost::Error
// "session not created" with the driver's own words on failure, leaving nothing running).
class ChromeSession : public wdhost::Session {
public:
  ChromeSession(const wdhost::Host& host, const ChromeInstall& install, const ChromeConfig& config,
                std::string_view sessionId, std::string_view capabilities);

  // {"capabilities":{..},"upstream":"http://127.0.0.1:N/session/<chromedriver id>"}
  std::string launchReply() const override { return driver_->launchReply(); }

  // Deletes the driver's session, ends chromedriver's process tree, removes the profile.
  void teardown() override;

private:
  std::unique_ptr<wdhost::TempDir> workDir_;
  std::unique_ptr<wdhost::DriverSession> driver_;
};

} // namespace chrome
