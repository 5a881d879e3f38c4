#include "recording/recordings.h"

#include "core/log.h"
#include "recording/chrome_screencast.h"
#include "recording/jpeg_size.h"
#include "recording/recording_names.h"
#include "recording/video_encoder.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace wdh {
namespace {

constexpr const char* kLog = "recording";
constexpr const char* kPartial = ".part";

std::int64_t msSinceEpoch(std::chrono::system_clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

// Creates `dir` and its missing parents, the last one 0700.
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

void Recordings::removeAbandoned() {
  // What a host killed mid-recording left half-written is no video anyone can play. Another
  // host may share the directory: a file its ffmpeg still writes was modified lately.
  DIR* dir = ::opendir(settings_.dir.c_str());
  if (dir == nullptr)
    return;
  auto stale = std::chrono::system_clock::now() - std::chrono::minutes(10);
  while (dirent* entry = ::readdir(dir)) {
    std::string_view name = entry->d_name;
    std::size_t suffix = std::strlen(kPartial);
    struct stat info {};
    if (name.size() > suffix && name.substr(name.size() - suffix) == kPartial &&
        isRecordingFileName(name.substr(0, name.size() - suffix)) &&
        ::fstatat(::dirfd(dir), entry->d_name, &info, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISREG(info.st_mode) &&
        std::chrono::system_clock::time_point(std::chrono::seconds(info.st_mtime)) < stale) {
      ::unlinkat(::dirfd(dir), entry->d_name, 0);
      log(LogLevel::Info, kLog, "removed " + std::string(name) + ", left half-written");
    }
  }
  ::closedir(dir);
}

bool Recordings::wanted(const RecordingAsk& ask) const {
  if (ask.video.has_value())
    return *ask.video;
  return settings_.mode != RecordMode::Off;
}

Status Recordings::start(const std::string& id, const std::string& browser,
                         const RecordingSource& source, const RecordingAsk& ask,
                         std::string* file) {
  if (settings_.ffmpeg.empty())
    return Status(ErrorCode::SessionNotCreated,
                  "this host cannot record video: ffmpeg is not installed (apt install ffmpeg)");
  if (source.cdp.empty() && (source.x11.empty() || source.width <= 0 || source.height <= 0))
    return Status(ErrorCode::SessionNotCreated,
                  "this " + browser +
                      " session cannot be recorded: its backend has neither a DevTools "
                      "screencast nor a display the host may capture (a WebKit session on a "
                      "private Xvfb has one); ask without se:recordVideo");
  Status status = makeDirs(settings_.dir);
  if (!status.isOk())
    return Status(ErrorCode::SessionNotCreated,
                  "cannot record: the recordings directory is unusable: " + status.message());
  if (!lookedForAbandoned_.exchange(true))
    removeAbandoned(); // open() was not called: recording is off but for sessions that ask
  auto recording = std::make_shared<Recording>();
  recording->ask = ask;
  recording->began = std::chrono::steady_clock::now();
  recording->info.file = recordingFileName(ask.name, id);
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
    if (byFile_.count(recording->info.file) != 0)
      return Status(ErrorCode::SessionNotCreated,
                    "session " + id + " is already recorded as " + recording->info.file);
    // Threads of recordings that finished end here (they take no lock once done).
    for (auto it = byFile_.begin(); it != byFile_.end();) {
      if (it->second->done.load() && it->second->thread.joinable())
        it->second->thread.join();
      it = it->second->done.load() && it->second->discarded ? byFile_.erase(it) : std::next(it);
    }
    byFile_[recording->info.file] = recording;
    bySession_[id] = recording;
    recording->thread = std::thread([this, recording, source] { record(recording, source); });
  }
  *file = recording->info.file;
  return Status::ok();
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
    if (!cast) {
      status = ChromeScreencast::open(
          cdp, ask.width > 0 ? ask.width : 1920, ask.height > 0 ? ask.height : 1080,
          std::min(findBy, std::chrono::steady_clock::now() + std::chrono::seconds(2)), &cast);
      if (!status.isOk() && std::chrono::steady_clock::now() >= findBy)
        break;
      if (!status.isOk()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
    }
    std::string frame;
    Status got = cast->nextFrame(
        std::max(next, std::chrono::steady_clock::now() + std::chrono::milliseconds(1)), &frame);
    if (got.isOk() && recording.stop.load())
      break; // painted while the session was being torn down: not the session's own
    if (got.isOk()) {
      latest = std::move(frame);
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

void Recordings::record(const std::shared_ptr<Recording>& recording,
                        const RecordingSource& source) {
  const std::string& id = recording->info.sessionId;
  const std::string path = settings_.dir + "/" + recording->info.file;
  const std::string partial = path + kPartial;
  const RecordingAsk& ask = recording->ask;
  int fps = ask.fps > 0 ? std::min(ask.fps, kMaxRecordingFps) : kDefaultRecordingFps;
  std::size_t frames = 0;
  Status status = source.cdp.empty()
                      ? recordDisplay(*recording, source, partial, fps, &frames)
                      : recordScreencast(*recording, source.cdp, partial, fps, &frames);
  if (status.isOk() && ::rename(partial.c_str(), path.c_str()) != 0)
    status = Status(ErrorCode::UnknownError,
                    "cannot name the finished file: " + std::string(std::strerror(errno)));
  if (!status.isOk())
    ::unlink(partial.c_str());
  struct stat info {};
  std::uint64_t size = status.isOk() && ::stat(path.c_str(), &info) == 0
                           ? static_cast<std::uint64_t>(info.st_size)
                           : 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    recording->info.state = status.isOk() ? "finished" : "failed";
    recording->info.error = status.isOk() ? "" : status.message();
    recording->info.size = size;
    recording->info.durationMs = static_cast<std::int64_t>(frames * 1000 / fps);
    auto it = bySession_.find(id);
    if (it != bySession_.end() && it->second == recording)
      bySession_.erase(it);
    recording->done.store(true);
    applyRetentionLocked(*recording);
    nextSweep_ = {}; // the directory grew: the budget is checked at the next sweep
  }
  if (status.isOk())
    log(LogLevel::Info, kLog,
        id + ": recorded " + std::to_string(frames) + " frames into " + recording->info.file,
        LogFields{id, recording->info.browser});
  else
    log(LogLevel::Warn, kLog, id + ": the recording failed: " + status.message(),
        LogFields{id, recording->info.browser});
}

void Recordings::sessionEnding(const std::string& id, std::uint16_t, const std::string&) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = bySession_.find(id);
  if (it != bySession_.end())
    it->second->stop.store(true);
}

void Recordings::sessionEndedBecause(const std::string& id, EndCause cause) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = bySession_.find(id);
  std::shared_ptr<Recording> recording;
  if (it != bySession_.end()) {
    recording = it->second;
  } else {
    // Its recorder may have finished first (the browser went away before the host knew).
    for (auto& [name, known] : byFile_)
      if (known->info.sessionId == id && !known->endKnown)
        recording = known;
  }
  if (!recording || recording->endKnown)
    return;
  recording->endKnown = true;
  recording->cause = cause;
  recording->info.endedBy = endCauseName(cause);
  recording->stop.store(true);
  applyRetentionLocked(*recording);
}

void Recordings::noteEvent(std::string_view id, std::string_view eventType) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = bySession_.find(id);
  if (it == bySession_.end())
    return;
  Recording& recording = *it->second;
  recording.outcome = afterEvent(recording.outcome, eventType);
  recording.info.outcome = outcomeName(recording.outcome);
}

void Recordings::applyRetentionLocked(Recording& recording) {
  // Decided once both are known: the file is finished, and how its session ended.
  if (!recording.done.load() || !recording.endKnown || recording.discarded ||
      recording.info.state != "finished")
    return;
  if (keepRecording(recording.onFailureOnly, recording.outcome, recording.cause))
    return;
  ::unlink((settings_.dir + "/" + recording.info.file).c_str());
  recording.discarded = true;
  log(LogLevel::Info, kLog,
      recording.info.sessionId +
          ": its video is not kept (retain on failure: the session was deleted, and nothing "
          "said it failed)",
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
  std::vector<StoredRecording> stored;
  DIR* dir = ::opendir(settings_.dir.c_str());
  if (dir == nullptr)
    return;
  while (dirent* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    struct stat info {};
    if (!isRecordingFileName(name) ||
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
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto now = std::chrono::steady_clock::now();
    for (const auto& [name, recording] : byFile_) {
      if (recording->discarded)
        continue;
      out.push_back(recording->info);
      if (!recording->done.load())
        out.back().durationMs =
            std::chrono::duration_cast<std::chrono::milliseconds>(now - recording->began).count();
    }
  }
  std::vector<RecordingInfo> earlier;
  if (DIR* dir = ::opendir(settings_.dir.c_str())) {
    while (dirent* entry = ::readdir(dir)) {
      std::string name = entry->d_name;
      if (!isRecordingFileName(name) ||
          std::any_of(out.begin(), out.end(),
                      [&](const RecordingInfo& r) { return r.file == name; }))
        continue;
      struct stat info {};
      if (::fstatat(::dirfd(dir), name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0 ||
          !S_ISREG(info.st_mode))
        continue;
      RecordingInfo found;
      found.file = name;
      found.state = "finished";
      found.size = static_cast<std::uint64_t>(info.st_size);
      found.startMs = static_cast<std::int64_t>(info.st_mtime) * 1000;
      earlier.push_back(std::move(found));
    }
    ::closedir(dir);
  }
  auto newestFirst = [](const RecordingInfo& a, const RecordingInfo& b) {
    return a.startMs > b.startMs;
  };
  std::sort(out.begin(), out.end(), newestFirst);
  std::sort(earlier.begin(), earlier.end(), newestFirst);
  out.insert(out.end(), earlier.begin(), earlier.end());
  return out;
}

Status Recordings::checkFile(std::string_view file, std::shared_ptr<Recording>* known) const {
  if (!isRecordingFileName(file))
    return Status(ErrorCode::InvalidArgument,
                  "not a recording's name: recordings are named [A-Za-z0-9._-]+.mp4, as "
                  "GET /wdhost/recordings lists them");
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = byFile_.find(std::string(file));
  if (it != byFile_.end() && it->second->discarded)
    return Status(ErrorCode::UnknownCommand, "no recording " + std::string(file));
  if (it != byFile_.end()) {
    *known = it->second;
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
  std::string path = settings_.dir + "/" + std::string(file);
  bool removed = ::unlink(path.c_str()) == 0;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = byFile_.find(std::string(file));
  if (it != byFile_.end() && it->second->done.load()) {
    if (it->second->thread.joinable())
      it->second->thread.join();
    byFile_.erase(it);
    removed = true;
  }
  if (!removed)
    return Status(ErrorCode::UnknownCommand, "no recording " + std::string(file));
  return Status::ok();
}

void Recordings::stopAll() {
  std::vector<std::shared_ptr<Recording>> all;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopped_ = true;
    for (auto& [name, recording] : byFile_) {
      if (!recording->endKnown) {
        recording->endKnown = true;
        recording->cause = EndCause::Shutdown;
        recording->info.endedBy = endCauseName(EndCause::Shutdown);
      }
      recording->stop.store(true);
      all.push_back(recording);
    }
  }
  for (auto& recording : all)
    if (recording->thread.joinable())
      recording->thread.join();
}

std::size_t Recordings::running() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return bySession_.size();
}

} // namespace wdh
