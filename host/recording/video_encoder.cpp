#include "recording/video_encoder.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace wdh {
namespace {

// Written as fragmented MP4, a fragment per keyframe, each written out as it is made
// (-flush_packets): what a killed ffmpeg (or host) leaves is playable up to its last fragment,
// and finalizeVideo() makes the finished file a faststart one.
constexpr const char* kFragmented = "+frag_keyframe+empty_moov+default_base_moof";

// A keyframe every 2 s: at most that much is lost when ffmpeg dies mid-recording.
std::string keyframeInterval(const VideoFormat& format) {
  return std::to_string(2 * format.fps);
}

std::vector<std::string> ffmpegArgs(const std::string& ffmpeg, const std::string& path,
                                    const VideoFormat& format) {
  std::string fps = std::to_string(format.fps);
  std::string size = std::to_string(format.width) + ":" + std::to_string(format.height);
  return {ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
          // JPEG frames, one after another, each one frame period long.
          // Encoding begins with the first frame, not after 5 s of probing the input.
          "-analyzeduration", "1", "-fpsprobesize", "0", "-f", "image2pipe", "-c:v", "mjpeg",
          "-framerate", fps, "-i", "pipe:0",
          // Every frame to one size (a window resized mid-session included).
          "-vf", "scale=" + size + ":flags=bilinear,format=yuv420p", "-c:v", "libx264", "-preset",
          "ultrafast", "-tune", "zerolatency", "-crf", "28", "-pix_fmt", "yuv420p", "-r", fps,
          "-threads", "1", "-g", keyframeInterval(format), "-movflags", kFragmented,
          "-flush_packets", "1", "-f", "mp4", path};
}

} // namespace

std::string findInPath(std::string_view program) {
  const char* path = std::getenv("PATH");
  std::string rest = path != nullptr ? path : "/usr/bin:/bin";
  while (!rest.empty()) {
    std::size_t colon = rest.find(':');
    std::string dir = rest.substr(0, colon);
    rest = colon == std::string::npos ? "" : rest.substr(colon + 1);
    if (dir.empty() || dir.front() != '/')
      continue;
    std::string candidate = dir + "/" + std::string(program);
    if (::access(candidate.c_str(), X_OK) == 0)
      return candidate;
  }
  return "";
}

Status VideoEncoder::start(ProcessSupervisor& processes, const std::string& ffmpeg,
                           const std::string& path, const VideoFormat& format,
                           std::unique_ptr<VideoEncoder>* out) {
  return spawnWithInput(processes, ffmpegArgs(ffmpeg, path, format), false, out);
}

Status VideoEncoder::startX11(ProcessSupervisor& processes, const std::string& ffmpeg,
                              const std::string& display, const std::string& path,
                              const VideoFormat& format, std::unique_ptr<VideoEncoder>* out) {
  std::string fps = std::to_string(format.fps);
  std::string size = std::to_string(format.width) + "x" + std::to_string(format.height);
  // No -nostdin: "q" on its stdin is how it is told to finish the file.
  std::vector<std::string> args = {ffmpeg,
                                   "-hide_banner",
                                   "-loglevel",
                                   "error",
                                   "-y",
                                   "-f",
                                   "x11grab",
                                   "-draw_mouse",
                                   "0",
                                   "-framerate",
                                   fps,
                                   "-video_size",
                                   size,
                                   "-i",
                                   display,
                                   "-c:v",
                                   "libx264",
                                   "-preset",
                                   "ultrafast",
                                   "-tune",
                                   "zerolatency",
                                   "-crf",
                                   "28",
                                   "-pix_fmt",
                                   "yuv420p",
                                   "-r",
                                   fps,
                                   "-threads",
                                   "1",
                                   "-g",
                                   keyframeInterval(format),
                                   "-movflags",
                                   kFragmented,
                                   "-f",
                                   "mp4",
                                   path};
  return spawnWithInput(processes, std::move(args), true, out);
}

Status VideoEncoder::spawnWithInput(ProcessSupervisor& processes, std::vector<std::string> args,
                                    bool grabs, std::unique_ptr<VideoEncoder>* out) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return Status(ErrorCode::UnknownError,
                  std::string("cannot create ffmpeg's input pipe: ") + std::strerror(errno));
  UniqueFd readEnd(fds[0]);
  UniqueFd writeEnd(fds[1]);
  if (::fcntl(writeEnd.get(), F_SETFL, O_NONBLOCK) != 0)
    return Status(ErrorCode::UnknownError, "cannot make ffmpeg's input pipe non-blocking");
  SpawnOptions options;
  options.stdinFd = readEnd.get();
  ProcessSupervisor::Id id = 0;
  // No owner: the session's teardown must not end ffmpeg before it finished the file.
  Status status = processes.spawn(args, {}, "", options, &id);
  if (!status.isOk())
    return Status(ErrorCode::UnknownError, "cannot start ffmpeg: " + status.message());
  out->reset(new VideoEncoder(processes, id, std::move(writeEnd), grabs));
  return Status::ok();
}

VideoEncoder::VideoEncoder(ProcessSupervisor& processes, ProcessSupervisor::Id id, UniqueFd input,
                           bool grabs)
    : processes_(processes), id_(id), input_(std::move(input)), grabs_(grabs) {}

bool VideoEncoder::running() const {
  ProcessState state;
  return processes_.poll(id_, &state) && state.kind == ProcessState::Running;
}

VideoEncoder::~VideoEncoder() {
  input_.reset();
  if (!ended_)
    processes_.terminate(id_, std::chrono::milliseconds(2000));
}

Status VideoEncoder::write(std::string_view jpeg, std::chrono::steady_clock::time_point deadline) {
  while (!jpeg.empty()) {
    ssize_t n = ::write(input_.get(), jpeg.data(), jpeg.size());
    if (n > 0) {
      jpeg.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno != EAGAIN)
      return Status(ErrorCode::UnknownError,
                    "ffmpeg stopped reading frames: " + std::string(std::strerror(errno)) + "; " +
                        processes_.outputTail(id_));
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return Status(ErrorCode::Timeout, "ffmpeg did not take a frame in time");
    pollfd wait{input_.get(), POLLOUT, 0};
    ::poll(&wait, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
  }
  return Status::ok();
}

Status VideoEncoder::finish(std::chrono::milliseconds bound) {
  if (grabs_ && input_.get() >= 0) {
    const char quit = 'q';
    (void)!::write(input_.get(), &quit, 1);
  }
  input_.reset();
  ProcessState state;
  ProcessSupervisor::WaitResult waited = processes_.waitExit(id_, bound, &state);
  if (waited != ProcessSupervisor::WaitResult::Ended)
    return Status(ErrorCode::Timeout, "ffmpeg did not finish the file within " +
                                          std::to_string(bound.count() / 1000) + " s");
  std::string tail = processes_.outputTail(id_);
  ended_ = true;
  processes_.terminate(id_, std::chrono::milliseconds(0)); // forgets the ended process
  if (state.kind != ProcessState::Exited || state.detail != 0)
    return Status(ErrorCode::UnknownError,
                  "ffmpeg ended with " + state.describe() + (tail.empty() ? "" : ": " + tail));
  return Status::ok();
}

Status finalizeVideo(ProcessSupervisor& processes, const std::string& ffmpeg,
                     const std::string& from, const std::string& to,
                     std::chrono::milliseconds bound) {
  std::vector<std::string> args = {ffmpeg,      "-hide_banner", "-nostdin", "-loglevel", "error",
                                   "-y",        "-i",           from,       "-c",        "copy",
                                   "-movflags", "+faststart",   "-f",       "mp4",       to};
  ProcessSupervisor::Id id = 0;
  Status status = processes.spawn(args, {}, "", SpawnOptions{}, &id);
  if (!status.isOk())
    return Status(ErrorCode::UnknownError, "cannot start ffmpeg: " + status.message());
  ProcessState state;
  ProcessSupervisor::WaitResult waited = processes.waitExit(id, bound, &state);
  std::string tail = processes.outputTail(id);
  processes.terminate(id, std::chrono::milliseconds(0));
  if (waited != ProcessSupervisor::WaitResult::Ended)
    return Status(ErrorCode::Timeout, "ffmpeg did not rewrite the file within " +
                                          std::to_string(bound.count() / 1000) + " s");
  if (state.kind != ProcessState::Exited || state.detail != 0)
    return Status(ErrorCode::UnknownError,
                  "ffmpeg ended with " + state.describe() + (tail.empty() ? "" : ": " + tail));
  return Status::ok();
}

} // namespace wdh
