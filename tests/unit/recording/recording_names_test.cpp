#include "recording/recording_names.h"

#include <doctest/doctest.h>
#include <string>

using namespace wdh;

namespace {
constexpr const char* kId = "0b7e5a52-6c1e-4c1b-9f7e-2f3c4d5e6f70";
}

TEST_CASE("recording names: a client's name is cut to safe characters and made unique") {
  CHECK(recordingFileName("", kId) == std::string(kId) + ".mp4");
  CHECK(recordingFileName("Login test", kId) == std::string("Login_test_") + kId + ".mp4");
  CHECK(recordingFileName("login.mp4", kId) == std::string("login_") + kId + ".mp4");
  CHECK(recordingFileName("../../etc/passwd", kId) == std::string("etcpasswd_") + kId + ".mp4");
  CHECK(recordingFileName("a/b\\c\0d", kId) == std::string("abc_") + kId + ".mp4");
  CHECK(recordingFileName("...", kId) == std::string(kId) + ".mp4");
  CHECK(recordingFileName("\xC3\xA9t\xC3\xA9", kId) == std::string("t_") + kId + ".mp4");
  std::string longName(500, 'x');
  CHECK(recordingFileName(longName, kId) == std::string(100, 'x') + "_" + kId + ".mp4");
}

TEST_CASE("recording names: every name the host makes passes its own check") {
  for (const char* chosen : {"", "Login test", "../../x", "a..b", ".hidden", "x.mp4.mp4", "-_-"})
    CHECK_MESSAGE(isRecordingFileName(recordingFileName(chosen, kId)), chosen);
  CHECK(isRecordingFileName(recordingFileName(std::string(500, 'y'), kId)));
}

TEST_CASE("recording names: what a client sends is refused unless the host could have made it") {
  CHECK(isRecordingFileName("abc_1.mp4"));
  CHECK_FALSE(isRecordingFileName(""));
  CHECK_FALSE(isRecordingFileName(".mp4"));
  CHECK_FALSE(isRecordingFileName("a.mp4/"));
  CHECK_FALSE(isRecordingFileName("../a.mp4"));
  CHECK_FALSE(isRecordingFileName("..mp4"));
  CHECK_FALSE(isRecordingFileName("a..b.mp4"));
  CHECK_FALSE(isRecordingFileName("/etc/passwd"));
  CHECK_FALSE(isRecordingFileName("sub/a.mp4"));
  CHECK_FALSE(isRecordingFileName(".hidden.mp4"));
  CHECK_FALSE(isRecordingFileName("a.mp4.part"));
  CHECK_FALSE(isRecordingFileName("a%2Fb.mp4"));
  CHECK_FALSE(isRecordingFileName(std::string("a\0b.mp4", 7)));
  CHECK_FALSE(isRecordingFileName("a b.mp4"));
  CHECK_FALSE(isRecordingFileName(std::string(197, 'a') + ".mp4"));
}

TEST_CASE("recording names: a log is named as its video, with .log") {
  CHECK(recordingFileName("Login test", kId, RecordingKind::Log) ==
        std::string("Login_test_") + kId + ".log");
  CHECK(recordingFileName("x.log", kId, RecordingKind::Log) == std::string("x_") + kId + ".log");
  RecordingKind kind = RecordingKind::Video;
  CHECK(isRecordingFileName(recordingFileName("a", kId, RecordingKind::Log), &kind));
  CHECK(kind == RecordingKind::Log);
  CHECK(isRecordingFileName("a.mp4", &kind));
  CHECK(kind == RecordingKind::Video);
  CHECK_FALSE(isRecordingFileName("a.txt", &kind));
  CHECK_FALSE(isRecordingFileName("a.log.part"));
  CHECK_FALSE(isRecordingFileName("../a.log"));
}
