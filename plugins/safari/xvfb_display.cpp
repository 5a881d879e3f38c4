#include "xvfb_display.h"

#include "safari_launch.h"

#include <chrono>
#include <wdhost/helpers.hpp>

namespace wdhost::safari {
namespace {

constexpr uint32_t kPollMs = 50;

} // namespace

XvfbDisplay::XvfbDisplay(const wdhost::Host& host, const std::string& xvfbPath,
                         std::string_view owner, uint32_t timeoutMs) {
  process_ = std::make_unique<wdhost::ChildProcess>(host, xvfbArgv(xvfbPath),
                                                    std::vector<std::string>{}, owner);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  std::string output;
  // Xvfb's stderr shares the captured output, so wait for a line of digits, not any line.
  for (uint32_t waited = 0; waited <= timeoutMs + kPollMs; waited += kPollMs) {
    auto [status, text] = process_->waitOutput("\x01wdhost-never\x01", kPollMs);
    output = text;
    if (auto number = parseDisplayNumber(output)) {
      display_ = ":" + std::to_string(*number);
      return;
    }
    if (status == WDHOST_ERROR || std::chrono::steady_clock::now() >= deadline)
      break;
  }
  std::string why = process_->state().running()
                        ? "did not report its display within " + std::to_string(timeoutMs) + " ms"
                        : "exited (" + process_->state().describe() + ")";
  process_->terminate(0);
  std::string tail = wdhost::tailLines(output, 10);
  throw wdhost::Error("session not created",
                      "Xvfb " + why + (tail.empty() ? "" : "; its output: " + tail));
}

} // namespace wdhost::safari
