// The host's state at one moment, as /metrics and the status page render it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace wdh {

// A session's state as the snapshot counts it.
enum class SessionState { Starting = 0, Active = 1, Closing = 2 };

// Counts read from the session service and the server; plain data.
struct HostSnapshot {
  // Sessions by plugin and state (Starting, Active, Closing); every loaded plugin is listed.
  std::map<std::string, std::array<std::size_t, 3>> sessions;
  std::size_t maxSessions = 0;               // --max-sessions
  std::size_t queued = 0;                    // New Session requests waiting for a slot
  std::size_t warmDrivers = 0;               // processes started ahead, owned by no session
  std::size_t warmBrowsers = 0;              // browsers started ahead, ready to hand over
  std::size_t processes = 0;                 // processes the host supervises
  std::size_t webSockets = 0;                // relayed websockets open
  std::uint64_t webSocketFramesToClient = 0; // frames relayed to clients (BiDi events, replies)
  std::uint64_t webSocketBytesToClient = 0;  // bytes relayed to clients
  std::uint64_t webSocketBytesToBrowser = 0; // bytes relayed to browsers
  std::int64_t webSocketBytesBuffered = 0;   // bytes held in websocket buffers now
  std::int64_t webSocketReadsHeld = 0;       // websocket directions not read: buffer full
  std::size_t sessionObjects = 0;            // Session objects alive (live, closing, or leaked)
  bool draining = false;                     // the host takes no new sessions
  std::size_t recordingsRunning = 0;         // sessions being recorded (video or log) now
  std::size_t liveViewers = 0;               // people watching sessions live now
  std::uint64_t livePictures = 0;            // pictures the live view took from browsers
  // Ended recordings by (browser, state, outcome, kept), since the host started.
  std::map<std::array<std::string, 4>, std::uint64_t> recordingsEnded;
  // Isolated plugins by name: crashes of their helper so far, and the running helper's pid.
  std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> isolated;
};

} // namespace wdh
