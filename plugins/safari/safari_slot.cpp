#include "safari_slot.h"

#include <atomic>
#include <wdhost/plugin.hpp>

namespace wdhost::safari {
namespace {

std::atomic<bool> safariBusy{false};

} // namespace

SafariSlot::SafariSlot() {
  if (safariBusy.exchange(true))
    throw wdhost::Error("session not created",
                        "Safari allows one WebDriver session at a time on a machine, and one is "
                        "running; delete it first");
}

SafariSlot::~SafariSlot() {
  safariBusy.store(false);
}

} // namespace wdhost::safari
