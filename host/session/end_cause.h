// Why a session ended, as the host counts it.
#pragma once

namespace wdh {

// Why a session ended (the reason label of wdhost_sessions_closed_total).
enum class EndCause {
  None,     // not ended yet (or never made live)
  Deleted,  // Delete Session, sessions.destroy, the status page
  Idle,     // its idle timeout passed
  Crashed,  // its driver or browser ended on its own
  Shutdown, // the host shut down
  Drained,  // a drain's --drain-timeout passed
};

// The label value of an EndCause ("deleted", "idle", ...; "none" for None).
inline const char* endCauseName(EndCause cause) noexcept {
  switch (cause) {
  case EndCause::Deleted:
    return "deleted";
  case EndCause::Idle:
    return "idle";
  case EndCause::Crashed:
    return "crashed";
  case EndCause::Shutdown:
    return "shutdown";
  case EndCause::Drained:
    return "drained";
  case EndCause::None:
    break;
  }
  return "none";
}

} // namespace wdh
