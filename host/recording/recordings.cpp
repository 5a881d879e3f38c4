#include "recording/recordings.h"

#include "core/log.h"
#include "recording/chrome_screencast.h"
#include "recording/jpeg_size.h"
#include "recording/log_follower.h"
#include "recording/recording_names.h"
#include "recording/session_log.h"
#include "recording/video_encoder.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <set>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace wdh {
namespace {

constexpr const char* kLog = "recording";
constexpr const char* kPartial = ".part";  // the video while ffmpeg writes it (fragmented)
constexpr const char* kRewritten = ".tmp"; // the finished video while it is made faststart
constexpr std::size_t kMaxFollowers = 64;  // logs followed live at once

std::int64_t msSinceEpoch(std::chrono::system_clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

} // namespace

Status makeDirs(const std::string& dir) {
  for (std::size_t slash = dir.find('/', 1);; slash = dir.find('/', slash + 1)) {
    std::string part = dir.substr(0, slash);
    if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST)
      return Status(ErrorCode::UnknownError,
                    "cannot create " + part + ": " + std::string(std::strerror(errno)));
    if (slash == std::string::npos)
      break;
  }
  struct stat info {};
  if (::stat(dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode))
    return Status(ErrorCode::UnknownError, dir + " is not a directory");
  return Status::ok();
}

namespace {

int evenDown(int value) {
  return std::max(2, value - value % 2);
}

} // namespace

// One recording: what the list shows, and what its thread and its session's end share.
struct Recordings::Recording {
  RecordingInfo info; // guarded by Recordings::mutex_
  std::thread thread; // the recorder; joined by stopAll() or the next start()
  std::atomic<bool> stop{false};
  std::atomic<bool> done{false};
  RecordingAsk ask;
  std::string window;                // mutex_: the page the client switched to, or ""
  std::atomic<bool> switched{false}; // the recorder is to follow `window`
  std::shared_ptr<SessionLog> log;   // its log; written from any thread
  bool logOpen = false;              // mutex_: log counted in logging_ and not yet closed
  std::chrono::steady_clock::time_point began;
  bool onFailureOnly = false;                       // retain-on-failure applies to it
  SessionOutcome outcome = SessionOutcome::Unknown; // mutex_
  bool endKnown = false;                            // mutex_: its session's end was told
  EndCause cause = EndCause::None;                  // mutex_
  bool discarded = false;                           // mutex_: its file was deleted
};

std::string defaultRecordingsDir() {
  const char* state = std::getenv("XDG_STATE_HOME");
  if (state != nullptr && state[0] == '/')
    return std::string(state) + "/wdhost/recordings";
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] == '/' && std::string_view(home) != "/")
    return std::string(home) + "/.local/state/wdhost/recordings";
  const char* tmp = std::getenv("TMPDIR");
  std::string base = (tmp != nullptr && tmp[0] == '/') ? tmp : "/tmp";
  return base + "/wdhost-" + std::to_string(::geteuid()) + "/recordings";
}

Recordings::Recordings(ProcessSupervisor& processes, RecordingSettings settings)
    : processes_(processes), settings_(std::move(settings)) {}

Recordings::~Recordings() {
  stopAll();
}

Status Recordings::open() {
  lookedForAbandoned_.store(true);
  if (settings_.dir.empty() || settings_.dir.front() != '/')
    return Status(ErrorCode::InvalidArgument,
                  "--recordings-dir must be an absolute path, not \"" + settings_.dir + "\"");
  Status status = makeDirs(settings_.dir);
  if (!status.isOk())
    return status;
  removeAbandoned();
  return Status::ok();
}

Status Recordings::finishFile(const std::string& partial, const std::string& path) {
  // The fragmented file rewritten as a faststart one (a player seeks in it at once); when that
  // fails, the fragmented file plays too, and is kept as it is.
  const std::string rewritten = path + kRewritten;
  Status status =
      finalizeVideo(processes_, settings_.ffmpeg, partial, rewritten, settings_.finishBound);
  if (status.isOk() && ::rename(rewritten.c_str(), path.c_str()) == 0) {
    ::unlink(partial.c_str());
    return Status::ok();
  }
  ::unlink(rewritten.c_str());
  log(LogLevel::Warn, kLog, path + " is kept fragmented: " + status.message());
  if (::rename(partial.c_str(), path.c_str()) != 0)
    return Status(ErrorCode::UnknownError,
                  "cannot name the finished file: " + std::string(std::strerror(errno)));
  return Status::ok();
}

void Recordings::removeAbandoned() {
  // What a host killed mid-recording left: its ffmpeg was ended with it (the guard), so the
  // fragmented file holds every whole fragment: kept, made a finished video, and said so in the
  // session's log. Another host may share the directory: a file it still writes is locked.
  DIR* dir = ::opendir(settings_.dir.c_str());
  if (dir == nullptr)
    return;
  std::vector<std::string> found;
  while (dirent* entry = ::readdir(dir)) {
    std::string_view name = entry->d_name;
    for (std::string_view suffix : {std::string_view(kPartial), std::string_view(kRewritten)})
      if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix &&
          isRecordingFileName(name.substr(0, name.size() - suffix.size())))
        found.emplace_back(name);
  }
  ::closedir(dir);
  for (const std::string& name : found) {
    std::string path = settings_.dir + "/" + name;
    UniqueFd held(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    struct stat info {};
    if (held.get() < 0 || ::fstat(held.get(), &info) != 0 || !S_ISREG(info.st_mode) ||
        ::flock(held.get(), LOCK_EX | LOCK_NB) != 0)
      continue; // not a file, or a live host writes it
    bool partial =
        name.size() > std::strlen(kPartial) &&
        name.compare(name.size() - std::strlen(kPartial), std::string::npos, kPartial) == 0;
    std::string stem = name.substr(0, name.size() - std::strlen(partial ? kPartial : kRewritten));
    std::string video = settings_.dir + "/" + stem;
    std::string said;
    if (!partial) {
      said = ""; // a rewrite cut short: its fragmented original is still there, or was named
    } else if (info.st_size == 0) {
      said = "the host ended before its first frame: there is no video";
    } else if (settings_.ffmpeg.empty() || ::access(video.c_str(), F_OK) == 0) {
      said = "the host ended before the session did; its video was lost (no ffmpeg to keep it)";
    } else {
      Status kept = finishFile(path, video);
      said = kept.isOk() && ::access(video.c_str(), F_OK) == 0
                 ? "the host ended before the session did; its video was kept up to where it "
                   "stopped, as " +
                       stem
                 : "the host ended before the session did; its video was lost: " + kept.message();
    }
    ::unlink(path.c_str());
    if (said.empty())
      continue;
    log(LogLevel::Info, kLog, stem + ": " + said);
    // Its log, when it has one, says so too.
    std::string logPath = settings_.dir + "/" + stem.substr(0, stem.size() - 4) + ".log";
    UniqueFd sessionLog(::open(logPath.c_str(), O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC));
    if (sessionLog.get() >= 0) {
      std::string line = logTimestamp() + " host " + said + "\n";
      (void)!::write(sessionLog.get(), line.data(), line.size());
    }
  }
}

bool Recordings::wanted(const RecordingAsk& ask) const {
  if (ask.video.has_value())
    return *ask.video;
  return settings_.mode != RecordMode::Off;
}

bool Recordings::wantedLogs(const RecordingAsk& ask) const {
  if (ask.logs.has_value())
    return *ask.logs;
  return wanted(ask);
}

Status Recordings::start(const std::string& id, const std::string& browser,
                         const RecordingSource& source, const RecordingAsk& ask, bool video,
                         bool logs, RecordingFiles* files) {
  *files = RecordingFiles();
  Status cannot;
  if (video && settings_.ffmpeg.empty())
    cannot = Status(ErrorCode::SessionNotCreated,
                    "this host cannot record video: ffmpeg is not installed (apt install ffmpeg)");
  else if (video && source.cdp.empty() &&
           (source.x11.empty() || source.width <= 0 || source.height <= 0))
    cannot = Status(ErrorCode::SessionNotCreated,
                    "this " + browser +
                        " session cannot be recorded: its backend has neither a DevTools "
                        "screencast nor a display the host may capture (firefox has one with "
                        "--plugin-option firefox.display=xvfb, WebKit on a private Xvfb); ask "
                        "without se:recordVideo");
  if (!cannot.isOk() && !logs)
    return cannot;
  if (!cannot.isOk()) {
    files->videoError = cannot.message();
    video = false;
  }
  if (!video && !logs)
    return Status::ok();
  Status status = makeDirs(settings_.dir);
  if (!status.isOk())
    return Status(ErrorCode::SessionNotCreated,
                  "cannot record: the recordings directory is unusable: " + status.message());
  if (!lookedForAbandoned_.exchange(true))
    removeAbandoned(); // open() was not called: recording is off but for sessions that ask
  auto recording = std::make_shared<Recording>();
  recording->ask = ask;
  recording->began = std::chrono::steady_clock::now();
  if (video)
    recording->info.file = recordingFileName(ask.name, id);
  if (logs) {
    std::string name =
        recordingFileName(ask.logName.empty() ? ask.name : ask.logName, id, RecordingKind::Log);
    std::unique_ptr<SessionLog> created;
    status = SessionLog::create(settings_.dir + "/" + name, &created);
    recording->log = std::move(created);
    if (!status.isOk() && !video)
      return Status(ErrorCode::SessionNotCreated,
                    "cannot keep the session's log: " + status.message());
    if (status.isOk())
      recording->info.log = name;
    else
      log(LogLevel::Warn, kLog, id + ": its log is not kept: " + status.message());
  }
  recording->info.sessionId = id;
  recording->info.browser = browser;
  recording->info.name = ask.name;
  recording->info.state = "recording";
  recording->info.outcome = outcomeName(SessionOutcome::Unknown);
  recording->onFailureOnly = ask.retainOnFailure.value_or(settings_.mode == RecordMode::OnFailure);
  recording->info.startMs = msSinceEpoch(std::chrono::system_clock::now());
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopped_)
      return Status(ErrorCode::SessionNotCreated, "the host is shutting down");
    if (bySession_.count(id) != 0)
      return Status(ErrorCode::SessionNotCreated, "session " + id + " is already recorded");
    // Threads of recordings that finished end here (they take no lock once done).
    for (auto it = byFile_.begin(); it != byFile_.end();) {
      if (it->second->done.load() && it->second->thread.joinable())
        it->second->thread.join();
      it = it->second->done.load() && it->second->discarded ? byFile_.erase(it) : std::next(it);
    }
    for (const std::string* name : {&recording->info.file, &recording->info.log})
      if (!name->empty())
        byFile_[*name] = recording;
    bySession_[id] = recording;
    if (recording->log) {
      recording->logOpen = true;
      {
        std::lock_guard<std::mutex> logsLock(logsMutex_);
        logs_[id] = recording->log;
      }
      logging_.fetch_add(1);
      recording->log->write("host", "session " + id + " of " + browser + " began" +
                                        (video ? "; its video is " + recording->info.file : ""));
      if (!files->videoError.empty())
        recording->log->write("host", "no video: " + files->videoError);
    }
    // A thread for the video, or for a chrome page's console; a log alone needs none.
    if (video || !source.cdp.empty())
      recording->thread = std::thread([this, recording, source] { record(recording, source); });
  }
  files->video = recording->info.file;
  files->log = recording->info.log;
  return Status::ok();
}

void Recordings::noteLine(std::string_view id, std::string_view source, std::string_view text) {
  if (!logging())
    return;
  std::shared_ptr<SessionLog> log;
  {
    std::lock_guard<std::mutex> logsLock(logsMutex_);
    auto it = logs_.find(id);
    if (it == logs_.end())
      return;
    log = it->second;
  }
  log->write(source, text);
}

void Recordings::sessionLine(std::string_view session, LogLevel level, std::string_view component,
                             std::string_view message) noexcept {
  try {
    if (!logging())
      return;
    std::string text = std::string(level >= LogLevel::Error  ? "ERROR "
                                   : level == LogLevel::Warn ? "WARN "
                                                             : "") +
                       "[" + std::string(component) + "] " + std::string(message);
    noteLine(session, "host", text);
  } catch (...) {
    // a line that could not be kept is not worth failing the caller for
  }
}

void Recordings::processOutput(const std::string& owner, std::string_view data) {
  if (owner.empty())
    return;
  noteLine(owner, "driver", data);
}

void Recordings::closeLogLocked(Recording& recording) {
  if (!recording.logOpen)
    return;
  recording.logOpen = false;
  recording.info.logSize = recording.log->size();
  recording.log->close();
  {
    std::lock_guard<std::mutex> logsLock(logsMutex_);
    auto it = logs_.find(recording.info.sessionId);
    if (it != logs_.end() && it->second == recording.log)
      logs_.erase(it);
  }
  logging_.fetch_sub(1);
}

Status Recordings::recordScreencast(Recording& recording, const std::string& cdp,
                                    const std::string& path, int fps, std::size_t* frames) {
  const RecordingAsk& ask = recording.ask;
  auto period = std::chrono::microseconds(1000000 / fps);
  Status status;
  std::unique_ptr<ChromeScreencast> cast;
  std::unique_ptr<VideoEncoder> encoder;
  std::string latest;
  // The page may take a moment to show up in DevTools (30 s at first); later, a navigation may
  // replace the page's target, and the recorder follows to the new one (3 s to find it). A
  // browser that went away ends the recording; the session's end stops it first.
  auto findBy = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  auto next = std::chrono::steady_clock::now();
  while (!recording.stop.load()) {
    if (recording.switched.exchange(false)) {
      cast.reset(); // the client switched windows: the recorder follows
      findBy = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    }
    if (!cast) {
      ScreencastOptions options;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        options.target = recording.window;
      }
      options.console = recording.log != nullptr;
      options.maxWidth = ask.width > 0 ? ask.width : 1920;
      options.maxHeight = ask.height > 0 ? ask.height : 1080;
      status = ChromeScreencast::open(
          cdp, options,
          std::min(findBy, std::chrono::steady_clock::now() + std::chrono::seconds(2)), &cast);
      if (!status.isOk() && std::chrono::steady_clock::now() >= findBy)
        break;
      if (!status.isOk()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
    }
    PageEvent event;
    Status got = cast->next(
        std::max(next, std::chrono::steady_clock::now() + std::chrono::milliseconds(1)), &event);
    if (got.isOk() && event.kind == PageEvent::Console) {
      recording.log->write("console", event.data);
    } else if (got.isOk() && recording.stop.load()) {
      break; // painted while the session was being torn down: not the session's own
    } else if (got.isOk()) {
      // Taken at once, not paced to the frame rate: the browser drops what it paints while two
      // frames wait, so a paced recorder could end on a page's next-to-last look (measured:
      // pacing would spare 0.2 of a core on a page that repaints every frame).
      // (A socket that fails here fails the next next() too, which looks for the page again.)
      (void)cast->acknowledge(std::chrono::steady_clock::now() + std::chrono::seconds(1));
      latest = std::move(event.data);
      if (!encoder) {
        int width = ask.width;
        int height = ask.height;
        if ((width <= 0 || height <= 0) && !jpegSize(latest, &width, &height)) {
          status = Status(ErrorCode::UnknownError, "the browser sent a frame that is no JPEG");
          break;
        }
        VideoFormat format{fps, evenDown(width), evenDown(height)};
        status = VideoEncoder::start(processes_, settings_.ffmpeg, path, format, &encoder);
        if (!status.isOk())
          break;
        next = std::chrono::steady_clock::now();
      }
    } else if (got.code() != ErrorCode::Timeout) {
      log(LogLevel::Debug, kLog,
          recording.info.sessionId + ": the page's screencast ended (" + got.message() +
              "); looking for the page again",
          LogFields{recording.info.sessionId, recording.info.browser});
      cast.reset();
      findBy = std::chrono::steady_clock::now() + std::chrono::seconds(3);
      continue;
    }
    // A constant frame rate: the newest frame once per period, repeated while nothing repaints;
    // after a stall (the host paused) the clock starts again rather than catching up.
    auto now = std::chrono::steady_clock::now();
    if (encoder && now >= next) {
      if (now - next > std::chrono::seconds(1))
        next = now;
      status = encoder->write(latest, now + std::chrono::seconds(5));
      if (!status.isOk())
        break;
      ++*frames;
      next += period;
    }
  }
  if (encoder)
    status = Status::ok(); // what was recorded is the recording, however the page went
  cast.reset();
  if (status.isOk() && !encoder)
    status = Status(ErrorCode::UnknownError, "the browser sent no frame to record");
  if (encoder) {
    Status finished = encoder->finish(settings_.finishBound);
    if (status.isOk())
      status = finished;
  }
  return status;
}

Status Recordings::recordDisplay(Recording& recording, const RecordingSource& source,
                                 const std::string& path, int fps, std::size_t* frames) {
  VideoFormat format{fps, evenDown(source.width), evenDown(source.height)};
  std::unique_ptr<VideoEncoder> encoder;
  Status status =
      VideoEncoder::startX11(processes_, settings_.ffmpeg, source.x11, path, format, &encoder);
  if (!status.isOk())
    return status;
  auto began = std::chrono::steady_clock::now();
  // ffmpeg takes the frames itself; this thread only waits for the session's end, or ffmpeg's.
  while (!recording.stop.load() && encoder->running())
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  *frames = static_cast<std::size_t>(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count() * fps);
  return encoder->finish(settings_.finishBound);
}

void Recordings::watchConsole(Recording& recording, const std::string& cdp) {
  std::unique_ptr<ChromeScreencast> watch;
  ScreencastOptions options;
  options.frames = false;
  options.console = true;
  while (!recording.stop.load()) {
    auto soon = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
    if (!watch && !ChromeScreencast::open(cdp, options, soon, &watch).isOk()) {
      std::this_thread::sleep_until(soon);
      continue;
    }
    PageEvent event;
    Status got = watch->next(soon, &event);
    if (got.isOk())
      recording.log->write("console", event.data);
    else if (got.code() != ErrorCode::Timeout)
      watch.reset(); // the page went (a navigation may replace it): look for it again
  }
}

void Recordings::record(const std::shared_ptr<Recording>& recording,
                        const RecordingSource& source) {
  const std::string& id = recording->info.sessionId;
  if (recording->info.file.empty()) {
    watchConsole(*recording, source.cdp);
    std::lock_guard<std::mutex> lock(mutex_);
    recording->done.store(true);
    finishLocked(*recording);
    return;
  }
  const std::string path = settings_.dir + "/" + recording->info.file;
  const std::string partial = path + kPartial;
  const RecordingAsk& ask = recording->ask;
  int fps = ask.fps > 0 ? std::min(ask.fps, kMaxRecordingFps) : kDefaultRecordingFps;
  std::size_t frames = 0;
  // The half-written file is locked while this host writes it: a host started after this one
  // was killed knows it for abandoned (removeAbandoned) by taking the lock.
  UniqueFd held(
      ::open(partial.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  Status status = held.get() >= 0 && ::flock(held.get(), LOCK_EX | LOCK_NB) == 0
                      ? Status::ok()
                      : Status(ErrorCode::UnknownError,
                               "cannot create " + partial + ": " + std::strerror(errno));
  if (status.isOk())
    status = source.cdp.empty() ? recordDisplay(*recording, source, partial, fps, &frames)
                                : recordScreencast(*recording, source.cdp, partial, fps, &frames);
  if (status.isOk())
    status = finishFile(partial, path);
  if (!status.isOk() && held.get() >= 0)
    ::unlink(partial.c_str());
  held.reset();
  struct stat info {};
  std::uint64_t size = status.isOk() && ::stat(path.c_str(), &info) == 0
                           ? static_cast<std::uint64_t>(info.st_size)
                           : 0;
  std::string said =
      status.isOk() ? "recorded " + std::to_string(frames) + " frames into " + recording->info.file
                    : "the recording failed: " + status.message();
  // Said before the log closes: the log tap puts it in the session's log too.
  log(status.isOk() ? LogLevel::Info : LogLevel::Warn, kLog, id + ": " + said,
      LogFields{id, recording->info.browser});
  {
    std::lock_guard<std::mutex> lock(mutex_);
    recording->info.state = status.isOk() ? "finished" : "failed";
    recording->info.error = status.isOk() ? "" : status.message();
    recording->info.size = size;
    recording->info.durationMs = static_cast<std::int64_t>(frames * 1000 / fps);
    recording->done.store(true);
    finishLocked(*recording);
    nextSweep_ = {}; // the directory grew: the budget is checked at the next sweep
  }
}

void Recordings::finishLocked(Recording& recording) {
  // The log goes on while its session does, also after a video that ended early; both done,
  // the recording is no longer the session's.
  if (!recording.done.load() || !recording.endKnown)
    return;
  if (recording.info.file.empty())
    recording.info.durationMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - recording.began)
                                    .count();
  closeLogLocked(recording);
  auto it = bySession_.find(recording.info.sessionId);
  if (it == bySession_.end() || it->second.get() != &recording)
    return; // finished before
  bySession_.erase(it);
  applyRetentionLocked(recording);
  ++ended_[{recording.info.browser, recording.info.state, recording.info.outcome,
            recording.discarded ? "false" : "true"}];
}

void Recordings::sessionEnding(const std::string& id, std::uint16_t, const std::string& why) {
  std::shared_ptr<Recording> recording;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = bySession_.find(id);
    if (it == bySession_.end())
      return;
    recording = it->second;
    recording->stop.store(true);
  }
  if (recording->log)
    recording->log->write("host", why);
}

void Recordings::sessionEndedBecause(const std::string& id, EndCause cause) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = bySession_.find(id);
  if (it == bySession_.end())
    return;
  std::shared_ptr<Recording> recording = it->second;
  if (recording->endKnown)
    return;
  recording->endKnown = true;
  recording->cause = cause;
  recording->info.endedBy = endCauseName(cause);
  recording->stop.store(true);
  if (!recording->thread.joinable()) { // a log alone: it ends with its session
    recording->info.state = "finished";
    recording->done.store(true);
  }
  finishLocked(*recording);
}

void Recordings::noteWindow(std::string_view id, std::string_view handle) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = bySession_.find(id);
  if (it == bySession_.end() || it->second->window == handle)
    return;
  it->second->window = std::string(handle);
  it->second->switched.store(true);
}

void Recordings::noteEvent(std::string_view id, std::string_view eventType) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = bySession_.find(id);
  if (it == bySession_.end())
    return;
  Recording& recording = *it->second;
  recording.outcome = afterEvent(recording.outcome, eventType);
  recording.info.outcome = outcomeName(recording.outcome);
  if (recording.log)
    recording.log->write("host", "the client said: " + std::string(eventType) + " (outcome " +
                                     recording.info.outcome + ")");
}

void Recordings::applyRetentionLocked(Recording& recording) {
  // Decided once both are known: the file is finished, and how its session ended.
  if (!recording.done.load() || !recording.endKnown || recording.discarded ||
      recording.info.state != "finished")
    return;
  if (keepRecording(recording.onFailureOnly, recording.outcome, recording.cause))
    return;
  for (const std::string* name : {&recording.info.file, &recording.info.log})
    if (!name->empty())
      ::unlink((settings_.dir + "/" + *name).c_str());
  recording.discarded = true;
  log(LogLevel::Info, kLog,
      recording.info.sessionId +
          ": its video and log are not kept (retain on failure: the session was deleted, and "
          "nothing said it failed)",
      LogFields{recording.info.sessionId, recording.info.browser});
}

void Recordings::sweep() {
  if (settings_.maxAge.count() == 0 && settings_.maxBytes == 0)
    return;
  std::unique_lock<std::mutex> one(sweeping_, std::try_to_lock);
  if (!one.owns_lock())
    return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto now = std::chrono::steady_clock::now();
    if (now < nextSweep_)
      return;
    nextSweep_ = now + settings_.sweepInterval;
  }
  std::set<std::string> open; // logs still written: their sessions run
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [id, recording] : bySession_)
      if (recording->logOpen)
        open.insert(recording->info.log);
  }
  std::vector<StoredRecording> stored;
  DIR* dir = ::opendir(settings_.dir.c_str());
  if (dir == nullptr)
    return;
  while (dirent* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    struct stat info {};
    if (!isRecordingFileName(name) || open.count(name) != 0 ||
        ::fstatat(::dirfd(dir), name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0 ||
        !S_ISREG(info.st_mode))
      continue;
    stored.push_back(StoredRecording{
        name, static_cast<std::uint64_t>(info.st_size),
        std::chrono::system_clock::time_point(std::chrono::seconds(info.st_mtime))});
  }
  ::closedir(dir);
  std::vector<std::string> gone = overBudget(std::move(stored), std::chrono::system_clock::now(),
                                             settings_.maxAge, settings_.maxBytes);
  std::lock_guard<std::mutex> lock(mutex_);
  for (const std::string& name : gone) {
    if (::unlink((settings_.dir + "/" + name).c_str()) != 0)
      continue;
    auto it = byFile_.find(name);
    if (it != byFile_.end())
      it->second->discarded = true;
    log(LogLevel::Info, kLog,
        "deleted " + name + " (past --recordings-max-age or --recordings-max-bytes)");
  }
}

std::vector<RecordingInfo> Recordings::list() const {
  std::vector<RecordingInfo> out;
  std::set<std::string> known; // the files of this host's recordings, kept or not
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto now = std::chrono::steady_clock::now();
    std::set<const Recording*> seen;
    for (const auto& [name, recording] : byFile_) {
      known.insert(name);
      if (recording->discarded || !seen.insert(recording.get()).second)
        continue;
      out.push_back(recording->info);
      if (recording->logOpen)
        out.back().logSize = recording->log->size();
      if (!recording->done.load() || !recording->endKnown)
        out.back().durationMs =
            std::chrono::duration_cast<std::chrono::milliseconds>(now - recording->began).count();
    }
  }
  // Files of earlier hosts: a video and a log of the same name are one recording.
  std::map<std::string, RecordingInfo> earlier;
  if (DIR* dir = ::opendir(settings_.dir.c_str())) {
    while (dirent* entry = ::readdir(dir)) {
      std::string name = entry->d_name;
      RecordingKind kind = RecordingKind::Video;
      if (!isRecordingFileName(name, &kind) || known.count(name) != 0)
        continue;
      struct stat info {};
      if (::fstatat(::dirfd(dir), name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0 ||
          !S_ISREG(info.st_mode))
        continue;
      RecordingInfo& found = earlier[name.substr(0, name.size() - 4)];
      found.state = "finished";
      (kind == RecordingKind::Video ? found.file : found.log) = name;
      (kind == RecordingKind::Video ? found.size : found.logSize) =
          static_cast<std::uint64_t>(info.st_size);
      found.startMs = std::max(found.startMs, static_cast<std::int64_t>(info.st_mtime) * 1000);
    }
    ::closedir(dir);
  }
  auto newestFirst = [](const RecordingInfo& a, const RecordingInfo& b) {
    return a.startMs > b.startMs;
  };
  std::sort(out.begin(), out.end(), newestFirst);
  std::vector<RecordingInfo> older;
  for (auto& [base, info] : earlier)
    older.push_back(std::move(info));
  std::sort(older.begin(), older.end(), newestFirst);
  out.insert(out.end(), older.begin(), older.end());
  return out;
}

std::string Recordings::resolve(std::string_view asked) const {
  RecordingKind kind = RecordingKind::Video;
  if (!isRecordingFileName(asked, &kind))
    return std::string(asked);
  std::string_view id = asked.substr(0, asked.size() - 4);
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [name, recording] : byFile_) {
    const std::string& file =
        kind == RecordingKind::Video ? recording->info.file : recording->info.log;
    if (recording->info.sessionId == id && !file.empty())
      return file;
  }
  return std::string(asked);
}

Status Recordings::checkFile(std::string_view file, std::shared_ptr<Recording>* known) const {
  RecordingKind kind = RecordingKind::Video;
  if (!isRecordingFileName(file, &kind))
    return Status(ErrorCode::InvalidArgument,
                  "not a recording's name: recordings are named [A-Za-z0-9._-]+.mp4 (a video) "
                  "or .log (a log), as GET /wdhost/recordings lists them");
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = byFile_.find(std::string(file));
  if (it != byFile_.end() && it->second->discarded)
    return Status(ErrorCode::UnknownCommand, "no recording " + std::string(file));
  if (it != byFile_.end()) {
    *known = it->second;
    if (kind == RecordingKind::Log)
      return Status::ok(); // a log is whole as far as it goes, also while it is written
    if (it->second->info.state == "recording")
      return Status(ErrorCode::UnsupportedOperation,
                    "recording " + std::string(file) +
                        " is still being made; it is served once its session ended");
    if (it->second->info.state == "failed")
      return Status(ErrorCode::UnsupportedOperation,
                    "recording " + std::string(file) + " failed: " + it->second->info.error);
  }
  return Status::ok();
}

Status Recordings::openFinished(std::string_view file, UniqueFd* out, std::uint64_t* size) const {
  std::shared_ptr<Recording> known;
  Status status = checkFile(file, &known);
  if (!status.isOk())
    return status;
  // O_NOFOLLOW: a link planted in the directory leads nowhere outside it.
  std::string path = settings_.dir + "/" + std::string(file);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  struct stat info {};
  if (fd.get() < 0 || ::fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode))
    return Status(ErrorCode::UnknownCommand, "no recording " + std::string(file));
  *size = static_cast<std::uint64_t>(info.st_size);
  *out = std::move(fd);
  return Status::ok();
}

Status Recordings::remove(std::string_view file) {
  std::shared_ptr<Recording> known;
  Status status = checkFile(file, &known);
  if (!status.isOk() && !(known && known->info.state == "failed"))
    return status;
  std::lock_guard<std::mutex> lock(mutex_);
  if (known && !(known->done.load() && known->endKnown))
    return Status(ErrorCode::UnsupportedOperation,
                  "recording " + std::string(file) +
                      " belongs to a session that still runs; delete it once the session ended");
  // The video and the log of one recording go together.
  std::vector<std::string> names;
  if (known) {
    for (const std::string* name : {&known->info.file, &known->info.log})
      if (!name->empty())
        names.push_back(*name);
  } else {
    std::string base(file.substr(0, file.size() - 4));
    names = {base + ".mp4", base + ".log"};
  }
  bool removed = false;
  for (const std::string& name : names) {
    // Only files: a link or a directory planted under a recording's name is none of ours.
    std::string path = settings_.dir + "/" + name;
    struct stat info {};
    if (::lstat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode))
      removed = ::unlink(path.c_str()) == 0 || removed;
  }
  if (known) {
    if (known->thread.joinable())
      known->thread.join();
    for (const std::string& name : names)
      byFile_.erase(name);
    removed = true;
  }
  if (!removed)
    return Status(ErrorCode::UnknownCommand, "no recording " + std::string(file));
  return Status::ok();
}

Status Recordings::follow(std::string_view asked, UniqueFd* socket) {
  std::string name(asked);
  if (name.find('.') == std::string::npos)
    name += ".log"; // a bare session id
  RecordingKind kind = RecordingKind::Video;
  if (!isRecordingFileName(name, &kind) || kind != RecordingKind::Log)
    return Status(ErrorCode::InvalidArgument,
                  "follow a log by its session id or its file name (NAME.log), not \"" +
                      std::string(asked.substr(0, 200)) + "\"");
  std::string file = resolve(name);
  UniqueFd fd;
  std::uint64_t size = 0;
  Status status = openFinished(file, &fd, &size);
  if (!status.isOk())
    return status;
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
    return Status(ErrorCode::UnknownError,
                  "cannot follow the log: " + std::string(std::strerror(errno)));
  UniqueFd ours(pair[0]);
  UniqueFd theirs(pair[1]);
  std::lock_guard<std::mutex> lock(followersMutex_);
  followers_.erase(std::remove_if(followers_.begin(), followers_.end(),
                                  [](const std::unique_ptr<LogFollower>& f) { return f->done(); }),
                   followers_.end());
  if (stopped_.load())
    return Status(ErrorCode::UnknownError, "the host is shutting down");
  if (followers_.size() >= kMaxFollowers)
    return Status(ErrorCode::UnknownError, "the host follows " + std::to_string(kMaxFollowers) +
                                               " logs already; close a follower first");
  auto written = [this, file] {
    std::lock_guard<std::mutex> held(mutex_);
    auto it = byFile_.find(file);
    return it != byFile_.end() && it->second->logOpen;
  };
  followers_.push_back(std::make_unique<LogFollower>(settings_.dir + "/" + file, std::move(written),
                                                     std::move(ours)));
  *socket = std::move(theirs);
  return Status::ok();
}

void Recordings::stopAll() {
  {
    std::lock_guard<std::mutex> lock(followersMutex_);
    stopped_.store(true);
    for (auto& follower : followers_)
      follower->stop();
    followers_.clear(); // joins them: each ends within a poll period
  }
  std::vector<std::shared_ptr<Recording>> all;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopped_ = true;
    for (auto& [name, recording] : byFile_) {
      if (!recording->endKnown) {
        recording->endKnown = true;
        recording->cause = EndCause::Shutdown;
        recording->info.endedBy = endCauseName(EndCause::Shutdown);
        if (!recording->thread.joinable()) {
          recording->info.state = "finished";
          recording->done.store(true);
        }
        finishLocked(*recording);
      }
      recording->stop.store(true);
      all.push_back(recording);
    }
  }
  for (auto& recording : all)
    if (recording->thread.joinable())
      recording->thread.join();
}

RecordingCounts Recordings::counts() const {
  std::lock_guard<std::mutex> lock(mutex_);
  RecordingCounts out;
  out.running = bySession_.size();
  out.ended = ended_;
  return out;
}

std::size_t Recordings::running() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return bySession_.size();
}

} // namespace wdh
