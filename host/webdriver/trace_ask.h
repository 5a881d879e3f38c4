// What a session asks of the host's tracer, and which sessions the host traces by default.
#pragma once

#include <optional>

namespace wdh {

// Which sessions are traced when they do not say (--trace).
enum class TraceMode {
  Off,       // only sessions that ask
  On,        // every session
  OnFailure, // every session, kept only when it failed (the recordings' rules)
};

// What one New Session asked of the tracer (wdhost:trace).
struct TraceAsk {
  std::optional<TraceMode> mode; // unset: as --trace says
  bool redact = false;           // leave out every typed text and script argument
};

} // namespace wdh
