// Header-only: a private Xvfb for one session, for browsers that need a display (MiniBrowser has
// no headless mode) or whose screen the host is to record (wdhost.display/1).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <wdhost/deadline.hpp>
#include <wdhost/helpers.hpp>
#include <wdhost/plugin.hpp>
#include <wdhost/services.hpp>

namespace wdhost {

// The size of a private Xvfb's screen, in pixels.
inline constexpr int kXvfbWidth = 1280;
inline constexpr int kXvfbHeight = 1024;

// Xvfb's argv: a kXvfbWidth x kXvfbHeight x 24 screen, no TCP, and the display number it picked
// itself printed on stdout (-displayfd 1), so that two sessions never race for one.
inline std::vector<std::string> xvfbArgv(const std::string& xvfbPath) {
  std::string screen = std::to_string(kXvfbWidth) + "x" + std::to_string(kXvfbHeight) + "x24";
  return {xvfbPath, "-displayfd", "1", "-screen", "0", screen, "-nolisten", "tcp"};
}

// The display number Xvfb printed with -displayfd (a whole line of digits), if any yet.
inline std::optional<int> parseDisplayNumber(std::string_view output) {
  std::size_t start = 0;
  while (start < output.size()) {
    std::size_t end = output.find('\n', start);
    if (end == std::string_view::npos)
      return std::nullopt; // a line is complete only once its newline came
    std::string_view line = output.substr(start, end - start);
    if (!line.empty() && line.size() <= 5 &&
        line.find_first_not_of("0123456789") == std::string_view::npos)
      return std::stoi(std::string(line));
    start = end + 1;
  }
  return std::nullopt;
}

// An Xvfb started through the host (owned by the session, so the host ends it with the session
// whatever happens). Not thread-safe but for display() and the const accessors.
class XvfbDisplay {
public:
  // Starts Xvfb and waits (bounded by timeoutMs and the launch's deadline) for its display
  // number; throws wdhost::Error("session not created") with its output when it does not
  // come up.
  XvfbDisplay(const Host& host, const std::string& xvfbPath, std::string_view owner,
              uint32_t timeoutMs, const Deadline& launch = Deadline()) {
    process_ =
        std::make_unique<ChildProcess>(host, xvfbArgv(xvfbPath), std::vector<std::string>{}, owner);
    const Deadline startup = launch.within(timeoutMs);
    std::string output;
    // Xvfb's stderr shares the captured output, so wait for a line of digits, not any line.
    for (;;) {
      bool exited = process_->waitExit(startup.clamp(50)).has_value();
      output = process_->output();
      if (auto number = parseDisplayNumber(output)) {
        display_ = ":" + std::to_string(*number);
        return;
      }
      if (exited || startup.expired())
        break;
    }
    std::string why = !process_->state().running() ? "exited (" + process_->state().describe() + ")"
                      : launch.expired() ? "did not report its display before " + launch.why()
                                         : "did not report its display within " +
                                               std::to_string(timeoutMs) + " ms";
    process_->terminate(0);
    std::string tail = tailLines(output, 10);
    throw Error("session not created",
                "Xvfb " + why + (tail.empty() ? "" : "; its output: " + tail));
  }

  // ":N", the value for DISPLAY.
  const std::string& display() const noexcept { return display_; }

  // {"x11": ":N", "width": W, "height": H}: what Session::display() answers for it.
  std::string describe() const {
    return "{\"x11\":\"" + display_ + "\",\"width\":" + std::to_string(kXvfbWidth) +
           ",\"height\":" + std::to_string(kXvfbHeight) + "}";
  }

  // Ends the X server (SIGTERM, then SIGKILL after graceMs); idempotent.
  void terminate(uint32_t graceMs) noexcept { process_->terminate(graceMs); }

private:
  std::unique_ptr<ChildProcess> process_;
  std::string display_;
};

} // namespace wdhost
