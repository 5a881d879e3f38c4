// Debian's ffmpeg as a child process under the host's supervision, writing a fragmented MP4
// (H.264, yuv420p, a keyframe every 2 s) at a constant frame rate: fed JPEG frames on its stdin,
// or capturing an X display itself (x11grab); then rewriting it as a faststart MP4.
#pragma once

#include "core/status.h"
#include "process/process_supervisor.h"
#include "process/unique_fd.h"

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace wdh {

// How a video is encoded.
struct VideoFormat {
  int fps = 15;   // frames per second, constant
  int width = 0;  // the video's size (even; frames are scaled to it)
  int height = 0; //
};

// The absolute path of `program` in $PATH, or "" when none is executable.
std::string findInPath(std::string_view program);

// Rewrites the fragmented MP4 `from` (what VideoEncoder wrote, finished or cut short) as the
// faststart MP4 `to` (stream copy, no re-encoding), waiting at most `bound`; UnknownError with
// ffmpeg's words when it cannot (a file with no whole fragment).
Status finalizeVideo(ProcessSupervisor& processes, const std::string& ffmpeg,
                     const std::string& from, const std::string& to,
                     std::chrono::milliseconds bound);

// One ffmpeg encoding one file. One thread at a time. Destroying it before finish() ends ffmpeg.
class VideoEncoder {
public:
  // Starts `ffmpeg` (an absolute path) under `processes` (which must outlive the encoder),
  // writing `path`; UnknownError naming the cause when it cannot.
  static Status start(ProcessSupervisor& processes, const std::string& ffmpeg,
                      const std::string& path, const VideoFormat& format,
                      std::unique_ptr<VideoEncoder>* out);
  // The same, ffmpeg capturing the X display `display` (":N", format's size) itself until
  // finish().
  static Status startX11(ProcessSupervisor& processes, const std::string& ffmpeg,
                         const std::string& display, const std::string& path,
                         const VideoFormat& format, std::unique_ptr<VideoEncoder>* out);
  // Ends ffmpeg if it still runs.
  ~VideoEncoder();
  VideoEncoder(const VideoEncoder&) = delete;
  VideoEncoder& operator=(const VideoEncoder&) = delete;

  // Writes one JPEG frame, waiting at most until `deadline` for ffmpeg to take it; Timeout when
  // it did not, UnknownError when ffmpeg is gone.
  Status write(std::string_view jpeg, std::chrono::steady_clock::time_point deadline);
  // Tells ffmpeg to finish the file (its stdin closes; an x11grab one is sent "q" first), and
  // waits at most `bound` for it to exit; Ok only when it exited with 0 (UnknownError with its
  // last output otherwise).
  Status finish(std::chrono::milliseconds bound);
  // True while ffmpeg runs.
  bool running() const;

private:
  VideoEncoder(ProcessSupervisor& processes, ProcessSupervisor::Id id, UniqueFd input, bool grabs);
  // Starts ffmpeg with `args` (after the program) and a pipe on its stdin.
  static Status spawnWithInput(ProcessSupervisor& processes, std::vector<std::string> args,
                               bool grabs, std::unique_ptr<VideoEncoder>* out);
  ProcessSupervisor& processes_;
  ProcessSupervisor::Id id_;
  UniqueFd input_;
  bool grabs_ = false; // x11grab: ffmpeg reads keys, not frames, on its stdin
  bool ended_ = false;
};

} // namespace wdh
