#include "webdriver/recording_capabilities.h"

#include "json/json.h"
#include <doctest/doctest.h>

using namespace wdh;

namespace {

// takeRecordingAsk() on `caps` and `host`; *left is what stays of `caps`.
Status take(const char* caps, const char* host, RecordingAsk* ask, std::string* left = nullptr) {
  rapidjson::Document doc;
  rapidjson::Document hostDoc;
  REQUIRE(parseJsonObject(caps, &doc).isOk());
  REQUIRE(parseJsonObject(host, &hostDoc).isOk());
  Status status = takeRecordingAsk(&doc, hostDoc, ask);
  if (left != nullptr)
    *left = toJson(doc);
  return status;
}

} // namespace

TEST_CASE("recording capabilities: none asked leaves the capabilities and the ask alone") {
  RecordingAsk ask;
  std::string left;
  REQUIRE(take(R"({"browserName":"chrome"})", "{}", &ask, &left).isOk());
  CHECK_FALSE(ask.video.has_value());
  CHECK(ask.fps == 0);
  CHECK(ask.name.empty());
  CHECK(left == R"({"browserName":"chrome"})");
}

TEST_CASE("recording capabilities: Selenium Grid's are taken out, and se:name stays") {
  RecordingAsk ask;
  std::string left;
  REQUIRE(take(R"({"browserName":"chrome","se:recordVideo":true,"se:name":"Login",
                  "se:retainOnFailure":"true","se:cdpEnabled":true})",
               "{}", &ask, &left)
              .isOk());
  CHECK(ask.video == true);
  CHECK(ask.retainOnFailure == true);
  CHECK(ask.name == "Login");
  CHECK(left == R"({"browserName":"chrome","se:name":"Login","se:cdpEnabled":true})");
  // se:videoName wins over se:name; the string "false" is false.
  REQUIRE(take(R"({"se:recordVideo":"false","se:name":"a","se:videoName":"b"})", "{}", &ask, &left)
              .isOk());
  CHECK(ask.video == false);
  CHECK(ask.name == "b");
  CHECK(left == R"({"se:name":"a"})");
}

TEST_CASE("recording capabilities: Selenoid's and Moon's keys go, the rest of the object stays") {
  RecordingAsk ask;
  std::string left;
  REQUIRE(take(R"({"selenoid:options":{"enableVideo":true,"videoName":"v.mp4",
                  "videoFrameRate":24,"videoScreenSize":"1280x720","enableVNC":true}})",
               "{}", &ask, &left)
              .isOk());
  CHECK(ask.video == true);
  CHECK(ask.name == "v.mp4");
  CHECK(ask.fps == 24);
  CHECK(ask.width == 1280);
  CHECK(ask.height == 720);
  CHECK(left == R"({"selenoid:options":{"enableVNC":true}})");
  REQUIRE(take(R"({"moon:options":{"enableVideo":true}})", "{}", &ask, &left).isOk());
  CHECK(ask.video == true);
  CHECK(left == "{}");
}

TEST_CASE("recording capabilities: wdhost:recording wins over the others") {
  RecordingAsk ask;
  REQUIRE(take(R"({"se:recordVideo":false})",
               R"({"wdhost:recording":{"video":true,"fps":30,"name":"n","size":"800x600",
                   "retainOnFailure":true}})",
               &ask)
              .isOk());
  CHECK(ask.video == true);
  CHECK(ask.fps == 30);
  CHECK(ask.name == "n");
  CHECK(ask.width == 800);
  CHECK(ask.height == 600);
  CHECK(ask.retainOnFailure == true);
}

TEST_CASE("recording capabilities: wrong values name the capability and what it takes") {
  RecordingAsk ask;
  Status status = take(R"({"se:recordVideo":"yes"})", "{}", &ask);
  CHECK(status.code() == ErrorCode::InvalidArgument);
  CHECK(status.message().find("se:recordVideo must be true or false") != std::string::npos);
  status = take("{}", R"({"wdhost:recording":{"fps":31}})", &ask);
  CHECK(status.code() == ErrorCode::InvalidArgument);
  CHECK(status.message().find("wdhost:recording.fps") != std::string::npos);
  CHECK(status.message().find("1 to 30") != std::string::npos);
  status = take("{}", R"({"wdhost:recording":{"fps":0}})", &ask);
  CHECK(status.code() == ErrorCode::InvalidArgument);
  status = take("{}", R"({"wdhost:recording":{"vidoe":true}})", &ask);
  CHECK(status.code() == ErrorCode::InvalidArgument);
  CHECK(status.message().find("no option \"vidoe\"") != std::string::npos);
  status = take("{}", R"({"wdhost:recording":true})", &ask);
  CHECK(status.code() == ErrorCode::InvalidArgument);
  status = take(R"({"selenoid:options":{"videoScreenSize":"big"}})", "{}", &ask);
  CHECK(status.code() == ErrorCode::InvalidArgument);
  CHECK(status.message().find("selenoid:options.videoScreenSize") != std::string::npos);
  status = take(R"({"se:videoName":7})", "{}", &ask);
  CHECK(status.code() == ErrorCode::InvalidArgument);
}

TEST_CASE("recording capabilities: a log asked for in Selenoid's words and the host's") {
  RecordingAsk ask;
  std::string left;
  REQUIRE(take(R"({"selenoid:options":{"enableLog":true,"logName":"run.log"}})", "{}", &ask, &left)
              .isOk());
  CHECK(ask.logs == true);
  CHECK(ask.logName == "run.log");
  CHECK_FALSE(ask.video.has_value());
  CHECK(left == "{}");
  REQUIRE(take("{}", R"({"wdhost:recording":{"logs":false,"video":true}})", &ask, &left).isOk());
  CHECK(ask.logs == false);
  CHECK(ask.video == true);
  Status status = take(R"({"selenoid:options":{"enableLog":"yes"}})", "{}", &ask, &left);
  CHECK(status.code() == ErrorCode::InvalidArgument);
  CHECK(status.message().find("selenoid:options.enableLog") != std::string::npos);
}

TEST_CASE("recording capabilities: Grid's se:screenResolution sizes the video") {
  RecordingAsk ask;
  std::string left;
  REQUIRE(take(R"({"se:recordVideo":true,"se:screenResolution":"1920x1080"})", "{}", &ask, &left)
              .isOk());
  CHECK(ask.width == 1920);
  CHECK(ask.height == 1080);
  CHECK(left == "{}");
  Status status = take(R"({"se:screenResolution":"huge"})", "{}", &ask, &left);
  CHECK(status.code() == ErrorCode::InvalidArgument);
  CHECK(status.message().find("se:screenResolution") != std::string::npos);
}
