// The answers of /wdhost/recordings: the list, a finished file (with Range requests, so that a
// browser's player can seek), and deleting one. Registered by app/ behind the request gate.
#pragma once

#include "http/exchange.h"
#include "recording/recordings.h"

#include <string_view>

namespace wdh {

// GET /wdhost/recordings: {"value": [{file, sessionId, browser, name, state, outcome, endedBy,
// error, start, duration, size, url}, ...]} (start in ms since the epoch, duration in ms).
void listRecordingsReply(const Recordings& recordings, Reply* reply);

// GET /wdhost/recordings/{file}: the finished video, 200 whole or 206 for a satisfiable Range
// (416 with Content-Range "bytes */SIZE" otherwise); W3C errors for a bad or unknown name.
void recordingFileReply(const Recordings& recordings, const Request& request, std::string_view file,
                        Reply* reply);

// DELETE /wdhost/recordings/{file}: removes a finished or failed recording.
void deleteRecordingReply(Recordings& recordings, std::string_view file, Reply* reply);

} // namespace wdh
