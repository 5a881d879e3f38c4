// One WebKit session: a private driver (WebKitWebDriver, WPEWebDriver or safaridriver), a
// private work directory, and on Linux without a display a private Xvfb.
#pragma once

#include "safari_backend.h"
#include "safari_config.h"
#include "safari_discovery.h"
#include "safari_slot.h"

#include <memory>
#include <string>
#include <string_view>
#include <wdhost/driver_session.hpp>
#include <wdhost/xvfb.hpp>

namespace wdhost::safari {

// Starts everything in the constructor (throws wdhost::Error "session not created" with the
// driver's own words on failure, leaving nothing running).
class SafariSession : public wdhost::Session {
public:
  // Every wait is bounded by `deadline`, the launch's.
  SafariSession(const wdhost::Host& host, const Plan& plan, const Installs& installs,
                const SafariConfig& config, std::string_view sessionId,
                std::string_view capabilities, const wdhost::Deadline& deadline);

  // {"capabilities":{.., "webkitgtk:browserOptions" or "wpe:browserOptions"},"upstream":..}
  std::string launchReply() const override { return reply_; }

  // Deletes the driver's session, ends the driver's tree, then Xvfb, then the work directory.
  void teardown() override;

  // Its private Xvfb ({"x11": ":N", "width": .., "height": ..}), which the host may record; null
  // when it runs on a display of the host's or none (WPE).
  std::string display() const override;

private:
  std::unique_ptr<SafariSlot> slot_;
  std::unique_ptr<wdhost::TempDir> workDir_;
  std::unique_ptr<wdhost::XvfbDisplay> xvfb_;
  std::unique_ptr<wdhost::DriverSession> driver_;
  std::string reply_;
};

} // namespace wdhost::safari
