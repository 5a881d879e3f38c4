// Session logs kept by Recordings without a browser or ffmpeg: a log alone, what reaches it (the
// host's lines about the session, its processes' output, its client's outcome), how it ends, is
// served, kept on failure only and deleted.
#include "recording/recordings.h"
#include "support/scratch_dir.h"

#include <doctest/doctest.h>
#include <fstream>
#include <poll.h>
#include <sstream>
#include <sys/socket.h>
#include <unistd.h>

#ifndef WDHOST_GUARD_PATH
#error "WDHOST_GUARD_PATH must name the wdhost-guard binary"
#endif

using namespace wdh;

namespace {

constexpr const char* kId = "5f1c2a9e-7b3d-4e8f-a1b2-c3d4e5f60718";

std::string contents(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

RecordingSettings settingsIn(const std::string& dir, RecordMode mode) {
  RecordingSettings settings;
  settings.mode = mode;
  settings.dir = dir;
  settings.ffmpeg = ""; // no video here: only logs
  return settings;
}

const RecordingInfo* find(const std::vector<RecordingInfo>& list, const std::string& log) {
  for (const RecordingInfo& info : list)
    if (info.log == log)
      return &info;
  return nullptr;
}

} // namespace

TEST_CASE("session logs: a log alone takes the session's lines and ends with it") {
  wdhtest::ScratchDir dir("session-logs");
  ProcessSupervisor processes(WDHOST_GUARD_PATH);
  Recordings recordings(processes, settingsIn(dir.dir, RecordMode::Off));
  RecordingAsk ask;
  ask.logs = true;
  ask.name = "login test";
  CHECK(recordings.wantedLogs(ask));
  CHECK_FALSE(recordings.wanted(ask));
  CHECK_FALSE(recordings.logging());
  RecordingFiles files;
  REQUIRE(recordings.start(kId, "firefox", RecordingSource{}, ask, false, true, &files).isOk());
  CHECK(files.video.empty());
  CHECK(files.log == std::string("login_test_") + kId + ".log");
  CHECK(recordings.logging());

  recordings.noteLine(kId, "host", "POST /url 200 (5 ms)");
  recordings.noteLine("another-session", "host", "not this one's");
  recordings.processOutput(kId, "the driver says hello\n");
  recordings.sessionLine(kId, LogLevel::Warn, "session", "something odd");
  recordings.noteEvent(kId, "test:failed");
  // Served while it is written.
  UniqueFd fd;
  std::uint64_t size = 0;
  REQUIRE(recordings.openFinished(files.log, &fd, &size).isOk());
  CHECK(size > 0);
  CHECK(recordings.resolve(std::string(kId) + ".log") == files.log);
  CHECK(recordings.resolve(std::string(kId) + ".mp4") == std::string(kId) + ".mp4");
  // A running session's recording cannot be deleted.
  CHECK(recordings.remove(files.log).code() == ErrorCode::UnsupportedOperation);

  auto running = recordings.list();
  REQUIRE(find(running, files.log) != nullptr);
  CHECK(find(running, files.log)->state == "recording");
  recordings.sessionEnding(kId, 1000, "deleted by its client");
  recordings.sessionEndedBecause(kId, EndCause::Deleted);
  CHECK_FALSE(recordings.logging());
  recordings.noteLine(kId, "host", "after the end: dropped");

  std::string text = contents(dir.path(files.log));
  CHECK(text.find("host session " + std::string(kId) + " of firefox began") != std::string::npos);
  CHECK(text.find("host POST /url 200 (5 ms)") != std::string::npos);
  CHECK(text.find("driver the driver says hello") != std::string::npos);
  CHECK(text.find("host WARN [session] something odd") != std::string::npos);
  CHECK(text.find("the client said: test:failed") != std::string::npos);
  CHECK(text.find("host deleted by its client") != std::string::npos);
  CHECK(text.find("not this one's") == std::string::npos);
  CHECK(text.find("dropped") == std::string::npos);

  auto ended = recordings.list();
  const RecordingInfo* entry = find(ended, files.log);
  REQUIRE(entry != nullptr);
  CHECK(entry->state == "finished");
  CHECK(entry->outcome == "failed");
  CHECK(entry->endedBy == "deleted");
  CHECK(entry->file.empty());
  CHECK(entry->logSize == text.size());
  REQUIRE(recordings.remove(files.log).isOk());
  CHECK(::access(dir.path(files.log).c_str(), F_OK) != 0);
  CHECK(recordings.openFinished(files.log, &fd, &size).code() == ErrorCode::UnknownCommand);
}

TEST_CASE("session logs: a video that cannot be made leaves the log, which says why") {
  wdhtest::ScratchDir dir("session-logs");
  ProcessSupervisor processes(WDHOST_GUARD_PATH);
  Recordings recordings(processes, settingsIn(dir.dir, RecordMode::On));
  RecordingAsk ask;
  CHECK(recordings.wanted(ask));
  CHECK(recordings.wantedLogs(ask));
  RecordingFiles files;
  REQUIRE(recordings.start(kId, "chrome", RecordingSource{}, ask, true, true, &files).isOk());
  CHECK(files.video.empty());
  CHECK(files.videoError.find("ffmpeg is not installed") != std::string::npos);
  CHECK(files.log == std::string(kId) + ".log");
  // Without the log, the same ask is an error that says what is missing.
  RecordingFiles none;
  Status status = recordings.start("other", "chrome", RecordingSource{}, ask, true, false, &none);
  CHECK(status.code() == ErrorCode::SessionNotCreated);
  CHECK(status.message().find("ffmpeg") != std::string::npos);
  recordings.stopAll(); // the host's shutdown ends the log too
  CHECK_FALSE(recordings.logging());
  std::string text = contents(dir.path(files.log));
  CHECK(text.find("no video: this host cannot record video") != std::string::npos);
  auto listed = recordings.list();
  const RecordingInfo* entry = find(listed, files.log);
  REQUIRE(entry != nullptr);
  CHECK(entry->endedBy == "shutdown");
}

TEST_CASE("session logs: on failure only, a passed and deleted session's log goes") {
  wdhtest::ScratchDir dir("session-logs");
  ProcessSupervisor processes(WDHOST_GUARD_PATH);
  Recordings recordings(processes, settingsIn(dir.dir, RecordMode::OnFailure));
  RecordingAsk ask;
  ask.logs = true;
  RecordingFiles passed;
  RecordingFiles failed;
  REQUIRE(
      recordings.start("passed-1", "chrome", RecordingSource{}, ask, false, true, &passed).isOk());
  REQUIRE(
      recordings.start("failed-1", "chrome", RecordingSource{}, ask, false, true, &failed).isOk());
  recordings.noteEvent("passed-1", "test:passed");
  recordings.noteEvent("failed-1", "test:passed");
  recordings.noteEvent("failed-1", "test:failed");
  for (const char* id : {"passed-1", "failed-1"}) {
    recordings.sessionEnding(id, 1000, "deleted");
    recordings.sessionEndedBecause(id, EndCause::Deleted);
  }
  CHECK(::access(dir.path(passed.log).c_str(), F_OK) != 0);
  CHECK(::access(dir.path(failed.log).c_str(), F_OK) == 0);
  auto listed = recordings.list();
  CHECK(find(listed, passed.log) == nullptr);
  CHECK(find(listed, failed.log) != nullptr);
  // What /metrics counts: each ended recording once, with its outcome and whether it was kept.
  RecordingCounts counts = recordings.counts();
  CHECK(counts.running == 0);
  using Key = std::array<std::string, 4>;
  CHECK(counts.ended ==
        std::map<Key, std::uint64_t>{{Key{"chrome", "finished", "failed", "true"}, 1},
                                     {Key{"chrome", "finished", "passed", "false"}, 1}});
  recordings.stopAll();
  CHECK(recordings.counts().ended.size() == 2);
}

namespace {

// Reads from `fd` until `needle` came or 10 s passed; what was read.
std::string readUntil(int fd, std::string_view needle) {
  std::string got;
  for (int i = 0; i < 100 && got.find(needle) == std::string::npos; ++i) {
    pollfd wait{fd, POLLIN, 0};
    if (::poll(&wait, 1, 100) <= 0)
      continue;
    char buffer[4096];
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0)
      break;
    got.append(buffer, static_cast<std::size_t>(n));
  }
  return got;
}

// The close frame's code in what a follower sent (its first two payload bytes), or "".
std::string closeCodeIn(const std::string& got) {
  std::size_t close = got.find('\x88');
  return close == std::string::npos ? "" : got.substr(close + 2, 2);
}

// A session keeping a log alone (session kId), and a follower of that log.
struct FollowedLog {
  wdhtest::ScratchDir dir{"session-logs"};
  ProcessSupervisor processes{WDHOST_GUARD_PATH};
  Recordings recordings{processes, settingsIn(dir.dir, RecordMode::Off)};
  UniqueFd socket;

  FollowedLog() {
    RecordingAsk ask;
    ask.logs = true;
    RecordingFiles files;
    REQUIRE(recordings.start(kId, "chrome", RecordingSource{}, ask, false, true, &files).isOk());
    REQUIRE(recordings.follow(kId, &socket).isOk());
  }
};

} // namespace

TEST_CASE("session logs: followed live, line by line, then closed once whole") {
  FollowedLog followed;
  Recordings& recordings = followed.recordings;
  UniqueFd& socket = followed.socket;
  // Each line a text frame (FIN, opcode 1, unmasked), the first line first.
  std::string got = readUntil(socket.get(), "began");
  REQUIRE(got.size() > 2);
  CHECK(static_cast<unsigned char>(got[0]) == 0x81);
  recordings.noteLine(kId, "host", "written while followed");
  got += readUntil(socket.get(), "written while followed");
  CHECK(got.find("host written while followed") != std::string::npos);
  recordings.sessionEnding(kId, 1000, "deleted");
  recordings.sessionEndedBecause(kId, EndCause::Deleted);
  // The rest, then a close frame 1000.
  got += readUntil(socket.get(), std::string("\x88", 1));
  CHECK(closeCodeIn(got) == std::string("\x03\xe8", 2));
  CHECK(got.find("host deleted") < got.find('\x88'));
  // Names the host never makes, and logs there are not.
  UniqueFd none;
  CHECK(recordings.follow("../x", &none).code() == ErrorCode::InvalidArgument);
  CHECK(recordings.follow("x.mp4", &none).code() == ErrorCode::InvalidArgument);
  CHECK(recordings.follow("nobody", &none).code() == ErrorCode::UnknownCommand);
  recordings.stopAll();
  CHECK(recordings.follow(kId, &none).code() == ErrorCode::UnknownError);
}

TEST_CASE("session logs: a follower still open is ended by the host's shutdown") {
  FollowedLog followed;
  readUntil(followed.socket.get(), "began");
  followed.recordings.stopAll();
  std::string got = readUntil(followed.socket.get(), std::string("\x88", 1));
  CHECK(closeCodeIn(got) == std::string("\x03\xe9", 2)); // 1001: going away
}
