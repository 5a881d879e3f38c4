// The host's recordings: which sessions are recorded, one recorder thread per recorded session
// (chrome's screencast paced to a constant frame rate and piped to ffmpeg, or ffmpeg grabbing
// an X display), each session's log (its commands, its driver's output, its browser's console),
// how each ends when its session ends by any path, and the directory they are kept in.
#pragma once

#include "core/log.h"
#include "core/status.h"
#include "process/process_supervisor.h"
#include "process/unique_fd.h"
#include "recording/recording_ask.h"
#include "recording/retention.h"
#include "session/session_events.h"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace wdh {

class LogFollower;
class SessionLog;

// How the host records.
struct RecordingSettings {
  RecordMode mode = RecordMode::Off; // --record
  std::string dir;                   // --recordings-dir (absolute)
  std::string ffmpeg;                // ffmpeg's absolute path; "" when it is not installed
  std::chrono::milliseconds finishBound{30000}; // how long ffmpeg may take to finish a file
  std::chrono::seconds maxAge{0};               // --recordings-max-age; 0: no limit
  std::uint64_t maxBytes = 0;                   // --recordings-max-bytes; 0: no limit
  std::chrono::seconds sweepInterval{10};       // how often sweep() looks at the directory
};

// One recording as /wdhost/recordings lists it: a session's video, its log, or both.
struct RecordingInfo {
  std::string file;            // its video's file name in the directory, or "" (no video)
  std::string log;             // its log's file name, or "" (no log)
  std::string sessionId;       // the session it recorded ("" for a file of an earlier host)
  std::string browser;         // the plugin's browser name
  std::string name;            // the name the client chose, or ""
  std::string state;           // "recording", "finished" or "failed"
  std::string outcome;         // what the client said of its session: "unknown", "passed", "failed"
  std::string endedBy;         // why its session ended ("deleted", "idle", ...) or "" while it runs
  std::string error;           // why it failed, or ""
  std::int64_t startMs = 0;    // when it began, ms since the epoch
  std::int64_t durationMs = 0; // how long it ran so far, or in all
  std::uint64_t size = 0;      // the video's bytes on disk (finished files only)
  std::uint64_t logSize = 0;   // the log's bytes so far
};

// How many recordings run, and how those that ended went, for /metrics.
struct RecordingCounts {
  std::size_t running = 0; // recordings whose session still runs
  // Ended recordings by (browser, state "finished"/"failed", outcome, kept "true"/"false").
  std::map<std::array<std::string, 4>, std::uint64_t> ended;
};

// What start() began for a session.
struct RecordingFiles {
  std::string video;      // the video's file name, or "" when not recorded
  std::string log;        // the log's file name, or "" when not kept
  std::string videoError; // why the video was asked for but is not recorded, or ""
};

// Where a session's frames come from: a DevTools screencast, else an X display.
struct RecordingSource {
  std::string cdp; // http:// base of the browser's DevTools endpoint, or ""
  std::string x11; // ":N", the X display the browser is shown on, or ""
  int width = 0;   // the display's size (x11)
  int height = 0;  //
};

// The default --recordings-dir: $XDG_STATE_HOME/wdhost/recordings, else
// $HOME/.local/state/wdhost/recordings, else $TMPDIR (or /tmp)/wdhost-<uid>/recordings.
std::string defaultRecordingsDir();

// Creates `dir` and its missing parents, the last one 0700; UnknownError naming the cause.
Status makeDirs(const std::string& dir);

// Thread-safe. Watches sessions (SessionEvents) to end their recordings as they end, and the
// host's log (SessionLogTap) for the lines about a session whose log it keeps.
class Recordings : public SessionEvents, public SessionLogTap {
public:
  // `processes` runs ffmpeg and must outlive this.
  Recordings(ProcessSupervisor& processes, RecordingSettings settings);
  // stopAll()
  ~Recordings() override;
  Recordings(const Recordings&) = delete;
  Recordings& operator=(const Recordings&) = delete;

  // Creates the directory (0700) if it is missing and finishes or removes what an earlier host
  // left half-written (removeAbandoned); UnknownError when it cannot. start() creates it too.
  Status open();
  // True when a session asking `ask` is to be recorded (its ask, else --record).
  bool wanted(const RecordingAsk& ask) const;
  // True when the log of a session asking `ask` is to be kept (its ask, else when recorded).
  bool wantedLogs(const RecordingAsk& ask) const;
  // Starts recording session `id` of `browser`: its video from `source` (its DevTools
  // screencast, else its X display) when `video`, its log when `logs`; *files says what began.
  // A video that cannot be recorded (no ffmpeg, neither source) is said in files->videoError
  // when the log began; SessionNotCreated naming the cause when nothing could. What began goes
  // on in the background until the session ends.
  Status start(const std::string& id, const std::string& browser, const RecordingSource& source,
               const RecordingAsk& ask, bool video, bool logs, RecordingFiles* files);
  // Appends `text` from `source` ("host", "driver", ...) to session `id`'s log, if it keeps one.
  void noteLine(std::string_view id, std::string_view source, std::string_view text);
  // True while some session's log is kept (the callers' cheap check before formatting a line).
  bool logging() const noexcept { return logging_.load(std::memory_order_relaxed) > 0; }
  // SessionLogTap: a host log line about session `session` goes to its log.
  void sessionLine(std::string_view session, LogLevel level, std::string_view component,
                   std::string_view message) noexcept override;
  // Output a process owned by `owner` (a session id) wrote goes to that session's log.
  void processOutput(const std::string& owner, std::string_view data);
  // Ends session `id`'s recording (if any) in the background: ffmpeg finishes the file.
  void sessionEnding(const std::string& id, std::uint16_t closeCode,
                     const std::string& why) override;
  // Notes why session `id` ended; with retain-on-failure, its video goes once finished unless
  // it is to be kept (keepRecording()).
  void sessionEndedBecause(const std::string& id, EndCause cause) override;
  // Notes a session event of session `id` (Grid's POST /se/event, e.g. "test:failed") for its
  // recording's outcome.
  void noteEvent(std::string_view id, std::string_view eventType);
  // Session `id`'s client switched to window `handle` (Switch To Window): a chrome recording
  // follows that page from now on.
  void noteWindow(std::string_view id, std::string_view handle);
  // The file `asked` names: itself, or for "<session id>.mp4" / "<session id>.log" (Selenoid's
  // /video and /logs paths) that session's video or log, whatever it was named.
  std::string resolve(std::string_view asked) const;
  // Deletes finished recordings past --recordings-max-age, then the oldest past
  // --recordings-max-bytes; looks at the directory at most once per sweepInterval, or at once
  // after a recording finished. Any thread (the janitor's).
  void sweep();
  // Every recording: those of this host, then finished files of earlier ones, newest first.
  std::vector<RecordingInfo> list() const;
  // Opens the finished recording `file` for reading (*size its length): InvalidArgument for a
  // name the host never makes, UnknownCommand (404) when there is none, UnsupportedOperation
  // while a video is still being recorded or when it failed. A log is served as far as it is
  // written, also while its session runs.
  Status openFinished(std::string_view file, UniqueFd* out, std::uint64_t* size) const;
  // Deletes the recording `file` belongs to, its video and its log (errors as openFinished; a
  // running one cannot be deleted).
  Status remove(std::string_view file);
  // Follows the log `asked` names (a log's file name, "<session id>.log" or a bare session id)
  // live: *socket is one end of a socket pair on which each of its lines, from the first, comes
  // as a websocket text frame while the session writes it, then a close frame. InvalidArgument
  // for a name the host never makes, UnknownCommand (404) when there is no such log,
  // UnknownError when the host follows too many logs already.
  Status follow(std::string_view asked, UniqueFd* socket);
  // Ends every recording and waits for each to finish its file (bounded by finishBound); ends
  // every log follower.
  void stopAll();
  // Recorder threads running now.
  std::size_t running() const;
  // The counts /metrics shows.
  RecordingCounts counts() const;

private:
  struct Recording;
  void record(const std::shared_ptr<Recording>& recording, const RecordingSource& source);
  // Writes the console of the page at `cdp` to the log until the session ends (no video).
  void watchConsole(Recording& recording, const std::string& cdp);
  // Once its video (or console watch) is done and its session ended: closes its log, lets the
  // session go, applies retention (mutex_ held).
  void finishLocked(Recording& recording);
  // Closes the log of `recording`, once (mutex_ held).
  void closeLogLocked(Recording& recording);
  // Records the screencast of `cdp` until the session ends; Ok when a file was made.
  Status recordScreencast(Recording& recording, const std::string& cdp, const std::string& path,
                          int fps, std::size_t* frames);
  // Records the X display of `source` until the session ends; Ok when a file was made.
  Status recordDisplay(Recording& recording, const RecordingSource& source, const std::string& path,
                       int fps, std::size_t* frames);
  Status checkFile(std::string_view file, std::shared_ptr<Recording>* known) const;
  // Makes `partial` (a fragmented video ffmpeg finished or left) the finished video `path`.
  Status finishFile(const std::string& partial, const std::string& path);
  // Keeps what a killed host left half-written as a finished video where it can, removes it
  // where it cannot, and writes which into the session's log; skips what a live host writes.
  void removeAbandoned();
  // With retain-on-failure, deletes the video of a finished recording whose session's end is
  // known and which is not to be kept (mutex_ held).
  void applyRetentionLocked(Recording& recording);

  ProcessSupervisor& processes_;
  RecordingSettings settings_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Recording>> byFile_;
  std::map<std::string, std::shared_ptr<Recording>, std::less<>> bySession_; // while running
  std::atomic<int> logging_{0};                                              // logs open now
  std::map<std::array<std::string, 4>, std::uint64_t> ended_; // mutex_: RecordingCounts::ended
  // The open logs by session: a lock of their own, taken by the log tap (which may be called
  // while mutex_ is held) and never held while logging.
  std::mutex followersMutex_; // taken without mutex_ held
  std::vector<std::unique_ptr<LogFollower>> followers_;
  mutable std::mutex logsMutex_;
  std::map<std::string, std::shared_ptr<SessionLog>, std::less<>> logs_;
  std::atomic<bool> stopped_{false};
  std::atomic<bool> lookedForAbandoned_{false};
  std::chrono::steady_clock::time_point nextSweep_{}; // mutex_
  std::mutex sweeping_;                               // one sweep at a time
};

} // namespace wdh
