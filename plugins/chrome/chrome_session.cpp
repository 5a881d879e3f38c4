#include "chrome_session.h"

#include "chrome_options.h"

#include <filesystem>
#include <system_error>
#include <unistd.h>

namespace chrome {
namespace {

// Chrome puts Unix sockets 46 bytes deep under TMPDIR; the kernel allows 108 in all.
constexpr std::size_t kMaxTmpDirLength = 60;

} // namespace

ChromeSession::ChromeSession(const wdhost::Host& host, const ChromeInstall& install,
                             const ChromeConfig& config, std::string_view sessionId,
                             std::string_view capabilities) {
  workDir_ = std::make_unique<wdhost::TempDir>(host, sessionId, "chrome");

  wdhost::DriverLaunch launch;
  launch.name = "chromedriver";
  launch.argv = {install.driverPath, "--port=0"};
  launch.listeningMarker = "started successfully on port ";
  launch.startupTimeoutMs = config.startupTimeoutMs;
  // What the driver and the browser write to temp goes in the session's own directory, so
  // that nothing outlives the session, unless the path is too long for Chrome's sockets.
  std::string tmp = workDir_->path() + "/t";
  std::error_code error;
  if (tmp.size() <= kMaxTmpDirLength && std::filesystem::create_directory(tmp, error))
    launch.env.push_back("TMPDIR=" + tmp);
  else
    host.log(WDHOST_LOG_DEBUG, "TMPDIR left as is: " + tmp + " is too long for Unix sockets");

  std::string body = driverNewSessionBody(capabilities, install, config,
                                          workDir_->path() + "/profile", ::geteuid() == 0);
  driver_ = std::make_unique<wdhost::DriverSession>(host, sessionId, launch, body);
}

void ChromeSession::teardown() {
  driver_->teardown();
  workDir_.reset();
}

} // namespace chrome
