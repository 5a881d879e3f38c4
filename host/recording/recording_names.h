// The names of recording files: made by the host from what a client chose, and checked before
// any name a client sends reaches the file system.
#pragma once

#include <string>
#include <string_view>

namespace wdh {

// What a recording's file holds.
enum class RecordingKind { Video, Log };

// The file a session's video (".mp4") or log (".log") goes to: `chosen` (se:videoName, se:name,
// videoName, logName; may be "") without a trailing ".mp4" or ".log", cut to [A-Za-z0-9._-]
// (spaces become '_', the rest dropped, no leading '.'), at most 100 characters, then "_" and
// `sessionId`, then the extension; only the session id and the extension when nothing of
// `chosen` is left.
std::string recordingFileName(std::string_view chosen, std::string_view sessionId,
                              RecordingKind kind = RecordingKind::Video);

// True when `name` could have been made by recordingFileName(): 5 to 200 characters of
// [A-Za-z0-9._-], not beginning with '.', holding no "..", ending in ".mp4" or ".log"; *kind
// (when given) says which. Nothing else a client sends is ever used as a file name.
bool isRecordingFileName(std::string_view name, RecordingKind* kind = nullptr);

} // namespace wdh
