#include "safari_session.h"

#include "safari_capabilities.h"
#include "safari_launch.h"

#include <filesystem>
#include <system_error>

namespace wdhost::safari {
namespace {

constexpr uint32_t kXvfbStartupMs = 15000;
constexpr uint32_t kXvfbGraceMs = 1000;

} // namespace

SafariSession::SafariSession(const wdhost::Host& host, const Plan& plan, const Installs& installs,
                             const SafariConfig& config, std::string_view sessionId,
                             std::string_view capabilities, const wdhost::Deadline& deadline) {
  if (deadline.expired())
    throw wdhost::Error(WDHOST_W3C_SESSION_NOT_CREATED,
                        "WebKit was not started: " + deadline.why());
  const Install& install = installs.forBackend(plan.backend);
  wdhost::DriverLaunch launch;
  launch.name = install.driverName;
  launch.startupTimeoutMs = config.startupTimeoutMs;
  std::string body;
  if (plan.backend == Backend::Safari) {
    slot_ = std::make_unique<SafariSlot>();
    launch.argv = safaridriverArgv(install.driverPath);
    body = safariNewSessionBody(capabilities);
  } else {
    workDir_ = std::make_unique<wdhost::TempDir>(host, sessionId, "safari");
    for (const std::string& dir : webkitWorkSubdirs(workDir_->path())) {
      std::error_code error;
      std::filesystem::create_directory(dir, error);
    }
    std::string xDisplay = plan.xDisplay;
    if (plan.display == DisplayMode::Xvfb) {
      xvfb_ = std::make_unique<wdhost::XvfbDisplay>(host, installs.xvfbPath, sessionId,
                                                    kXvfbStartupMs, deadline);
      xDisplay = xvfb_->display();
    }
    launch.argv = webkitDriverArgv(install.driverPath);
    launch.env = webkitDriverEnv(xDisplay, workDir_->path());
    body = webkitNewSessionBody(capabilities, plan.backend, install.browserPath);
    host.log(WDHOST_LOG_DEBUG, install.driverName + " on display " +
                                   (xDisplay.empty() ? "none (headless)" : xDisplay) +
                                   ", New Session: " + body);
  }
  driver_ = std::make_unique<wdhost::DriverSession>(host, sessionId, launch, body, true, deadline);
  reply_ = replyWithBrowserOptions(driver_->launchReply(), body, plan.backend);
}

void SafariSession::teardown() {
  driver_->teardown();
  if (xvfb_)
    xvfb_->terminate(kXvfbGraceMs);
  workDir_.reset();
  slot_.reset();
}

std::string SafariSession::display() const {
  if (!xvfb_)
    return "null";
  return xvfb_->describe();
}

} // namespace wdhost::safari
