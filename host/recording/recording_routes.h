// The answers of /wdhost/recordings: the list, a finished file (with Range requests, so that a
// browser's player can seek), and deleting one. Registered by app/ behind the request gate.
#pragma once

#include "http/exchange.h"
#include "recording/recording_names.h"
#include "recording/recordings.h"

#include <string_view>

namespace wdh {

// GET /wdhost/recordings: {"value": [{file, sessionId, browser, name, state, outcome, endedBy,
// error, start, duration, size, url, log, logSize, logUrl}, ...]} (start in ms since the epoch,
// duration in ms; file and url null without a video, log and logUrl null without a log).
void listRecordingsReply(const Recordings& recordings, Reply* reply);

// GET /wdhost/recordings/{file}: the finished video or the log (as far as it is written), 200
// whole or 206 for a satisfiable Range (416 with Content-Range "bytes */SIZE" otherwise); W3C
// errors for a bad or unknown name.
void recordingFileReply(const Recordings& recordings, const Request& request, std::string_view file,
                        Reply* reply);

// DELETE /wdhost/recordings/{file}: removes a finished or failed recording, video and log.
void deleteRecordingReply(Recordings& recordings, std::string_view file, Reply* reply);

// Selenoid's paths for the same files: GET or DELETE /video/{file} and /logs/{file}, where
// {file} may also be "<session id>.mp4", "<session id>.log" or (under /logs) the bare session id;
// GET /video/ and /logs/ list the file names as a JSON array. `kind` says which path it is.
void selenoidPathReply(Recordings& recordings, const Request& request, std::string_view suffix,
                       RecordingKind kind, Reply* reply);

} // namespace wdh
