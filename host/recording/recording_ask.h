// What a session asked to have recorded, and what the host records by default.
#pragma once

#include <optional>
#include <string>

namespace wdh {

// The host's --record: which sessions are recorded when they do not say.
enum class RecordMode {
  Off,       // only sessions that ask
  On,        // every session that can be
  OnFailure, // every session that can be, kept only when it failed
};

// Frames per second of a recording: the default, and the most a session may ask for.
inline constexpr int kDefaultRecordingFps = 15;
inline constexpr int kMaxRecordingFps = 30;

// What one New Session asked of the recorder (se:recordVideo, selenoid:options/moon:options,
// wdhost:recording); the host's defaults fill what it left out.
struct RecordingAsk {
  std::optional<bool> video;           // record its screen; unset: as --record says
  std::optional<bool> logs;            // keep its log; unset: when its screen is recorded
  int fps = 0;                         // frames per second; 0: kDefaultRecordingFps
  int width = 0;                       // the video's size; 0 x 0: the first frame's
  int height = 0;                      //
  std::string name;                    // the name the client chose for the file, or ""
  std::string logName;                 // the name chosen for the log's file; "": `name`
  std::optional<bool> retainOnFailure; // keep it only when the session failed; unset: --record
};

} // namespace wdh
