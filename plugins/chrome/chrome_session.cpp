#include "chrome_session.h"

#include "chrome_options.h"

#include <filesystem>
#include <system_error>
#include <unistd.h>

namespace wdhost::chrome {
namespace {

// Chrome puts Unix sockets 46 bytes deep under TMPDIR; the kernel allows 108 in all.
constexpr std::size_t kMaxTmpDirLength = 60;

wdhost::DriverLaunch chromedriverLaunch(const ChromeInstall& install, const ChromeConfig& config) {
  wdhost::DriverLaunch launch;
  launch.name = "chromedriver";
  launch.argv = {install.driverPath, "--port=0"};
  launch.listeningMarker = "started successfully on port ";
  launch.startupTimeoutMs = config.startupTimeoutMs;
  launch.debuggerAddressKey = "goog:chromeOptions";
  return launch;
}

} // namespace

wdhost::StartedDriver startChromeDriver(const wdhost::Host& host, const ChromeInstall& install,
                                        const ChromeConfig& config, std::string_view owner,
                                        const wdhost::Deadline& deadline) {
  auto workDir = std::make_unique<wdhost::TempDir>(host, owner, "chrome");
  wdhost::DriverLaunch launch = chromedriverLaunch(install, config);
  // What the driver and the browser write to temp goes in the private directory, so that
  // nothing outlives the session, unless the path is too long for Chrome's sockets.
  std::string tmp = workDir->path() + "/t";
  std::error_code error;
  if (tmp.size() <= kMaxTmpDirLength && std::filesystem::create_directory(tmp, error))
    launch.env.push_back("TMPDIR=" + tmp);
  else
    host.log(WDHOST_LOG_DEBUG, "TMPDIR left as is: " + tmp + " is too long for Unix sockets");
  wdhost::StartedDriver driver = wdhost::startDriver(host, launch, owner, deadline);
  driver.workDir = std::move(workDir);
  return driver;
}

std::unique_ptr<wdhost::Session>
startChromeSession(const wdhost::Host& host, const ChromeInstall& install,
                   const ChromeConfig& config, std::string_view sessionId,
                   std::string_view capabilities, wdhost::StartedDriver driver,
                   wdhost::UserAgentCache* userAgents, const wdhost::Deadline& deadline) {
  wdhost::UserAgentLookup userAgent;
  userAgent.cache = userAgents;
  std::string body =
      driverNewSessionBody(capabilities, install, config, driver.workDir->path() + "/profile",
                           ::geteuid() == 0, &userAgent.key);
  return std::make_unique<wdhost::DriverSession>(host, sessionId,
                                                 chromedriverLaunch(install, config), body,
                                                 userAgent, std::move(driver), deadline);
}

} // namespace wdhost::chrome
