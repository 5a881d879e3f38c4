// One Chrome session: a private chromedriver, a private profile, and the driver's session.
#pragma once

#include "chrome_config.h"
#include "chrome_discovery.h"

#include <memory>
#include <string>
#include <string_view>
#include <wdhost/services.hpp>

namespace chrome {

// Starts chromedriver and a browser session in the constructor (throws wdhost::Error
// "session not created" with the driver's own words on failure, leaving nothing running).
class ChromeSession : public wdhost::Session {
public:
  ChromeSession(const wdhost::Host& host, const ChromeInstall& install, const ChromeConfig& config,
                std::string_view sessionId, std::string_view capabilities);

  // {"capabilities":{..},"upstream":"http://127.0.0.1:N/session/<chromedriver id>"}
  std::string launchReply() const override { return launchReply_; }

  // DELETE upstream (best effort), then end chromedriver's process tree and the profile.
  void teardown() override;

private:
  std::string startDriver(const ChromeInstall& install, const ChromeConfig& config);
  void createDriverSession(const std::string& body);

  wdhost::Host host_;
  std::string sessionId_;
  std::unique_ptr<wdhost::TempDir> workDir_;
  std::unique_ptr<wdhost::ChildProcess> driver_;
  std::string driverUrl_;
  std::string upstream_;
  std::string launchReply_;
};

} // namespace chrome
