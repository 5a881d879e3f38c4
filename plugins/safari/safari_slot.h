// Safari allows one WebDriver session at a time on a machine: the slot a macOS session holds.
#pragma once

namespace wdhost::safari {

// Held by the one Safari session of this host; taking a second one fails.
class SafariSlot {
public:
  // Takes the slot; throws wdhost::Error("session not created") when a session holds it.
  SafariSlot();
  // Frees the slot.
  ~SafariSlot();
  SafariSlot(const SafariSlot&) = delete;
  SafariSlot& operator=(const SafariSlot&) = delete;
};

} // namespace wdhost::safari
