#include "xvfb_display.h"

#include "safari_launch.h"

#include <wdhost/helpers.hpp>

namespace wdhost::safari {
namespace {

constexpr uint32_t kPollMs = 50;

} // namespace

XvfbDisplay::XvfbDisplay(const wdhost::Host& host, const std::string& xvfbPath,
                         std::string_view owner, uint32_t timeoutMs,
                         const wdhost::Deadline& launch) {
  process_ = std::make_unique<wdhost::ChildProcess>(host, xvfbArgv(xvfbPath),
                                                    std::vector<std::string>{}, owner);
  const wdhost::Deadline startup = launch.within(timeoutMs);
  std::string output;
  // Xvfb's stderr shares the captured output, so wait for a line of digits, not any line.
  for (;;) {
    bool exited = process_->waitExit(startup.clamp(kPollMs)).has_value();
    output = process_->output();
    if (auto number = parseDisplayNumber(output)) {
      display_ = ":" + std::to_string(*number);
      return;
    }
    if (exited || startup.expired())
      break;
  }
  std::string why = !process_->state().running() ? "exited (" + process_->state().describe() + ")"
                    : launch.expired()
                        ? "did not report its display before " + launch.why()
                        : "did not report its display within " + std::to_string(timeoutMs) + " ms";
  process_->terminate(0);
  std::string tail = wdhost::tailLines(output, 10);
  throw wdhost::Error("session not created",
                      "Xvfb " + why + (tail.empty() ? "" : "; its output: " + tail));
}

} // namespace wdhost::safari
