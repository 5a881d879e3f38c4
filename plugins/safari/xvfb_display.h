// A private Xvfb for one session: MiniBrowser has no headless mode, so when there is no display
// to use (and no WPE), each session gets its own virtual X server.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <wdhost/services.hpp>

namespace wdhost::safari {

// An Xvfb started through the host (owned by the session, so the host ends it with the session
// whatever happens); it chooses a free display itself (-displayfd), so no display number race.
class XvfbDisplay {
public:
  // Starts Xvfb and waits (bounded by timeoutMs and the launch's deadline) for its display
  // number; throws wdhost::Error("session not created") with its output when it does not
  // come up.
  XvfbDisplay(const wdhost::Host& host, const std::string& xvfbPath, std::string_view owner,
              uint32_t timeoutMs, const wdhost::Deadline& launch = wdhost::Deadline());

  // ":N", the value for DISPLAY.
  const std::string& display() const noexcept { return display_; }

  // Ends the X server (SIGTERM, then SIGKILL after graceMs); idempotent.
  void terminate(uint32_t graceMs) noexcept { process_->terminate(graceMs); }

private:
  std::unique_ptr<wdhost::ChildProcess> process_;
  std::string display_;
};

} // namespace wdhost::safari
