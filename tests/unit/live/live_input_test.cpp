#include "live/live_input.h"

#include "json/json.h"
#include <doctest/doctest.h>

using namespace wdh;

namespace {

Status parse(const char* json, LiveInput* input) {
  rapidjson::Document doc;
  REQUIRE(parseJson(json, &doc).isOk());
  return parseLiveInput(doc, input);
}

} // namespace

TEST_CASE("live input: clicks land inside the viewport, whatever the picture said") {
  LiveInput input;
  REQUIRE(parse(R"({"type":"click","x":0.5,"y":0.25})", &input).isOk());
  CHECK(liveActionsBody(input, 800, 600).find(R"("x":400,"y":150)") != std::string::npos);
  REQUIRE(parse(R"({"type":"click","x":7,"y":-3,"button":9})", &input).isOk());
  CHECK(input.button == 2);
  std::string body = liveActionsBody(input, 800, 600);
  CHECK(body.find(R"("x":799,"y":0)") != std::string::npos);
  CHECK(body.find(R"("pointerDown","button":2)") != std::string::npos);
  REQUIRE(parse(R"({"type":"click","x":0,"y":0,"double":true})", &input).isOk());
  body = liveActionsBody(input, 800, 600);
  CHECK(body.find("pointerUp") != body.rfind("pointerUp")); // pressed twice
}

TEST_CASE("live input: scrolls are bounded, keys known, text printable and short") {
  LiveInput input;
  REQUIRE(parse(R"({"type":"scroll","x":0.1,"y":0.1,"dx":-99999,"dy":120})", &input).isOk());
  CHECK(input.deltaX == -2000);
  CHECK(liveActionsBody(input, 100, 100).find(R"("deltaX":-2000,"deltaY":120)") !=
        std::string::npos);
  REQUIRE(parse(R"({"type":"key","key":"Enter"})", &input).isOk());
  CHECK(input.key == "\xEE\x80\x87");
  REQUIRE(parse(R"({"type":"key","key":"é"})", &input).isOk());
  CHECK(input.key == "é");
  REQUIRE(parse(R"({"type":"text","text":"héllo"})", &input).isOk());
  std::string body = liveActionsBody(input, 10, 10);
  CHECK(body.find(R"({"type":"keyDown","value":"é"})") != std::string::npos);
  std::size_t downs = 0;
  for (std::size_t at = body.find("keyDown"); at != std::string::npos;
       at = body.find("keyDown", at + 1))
    ++downs;
  CHECK(downs == 5);

  for (const char* bad :
       {R"({"type":"key","key":"F13"})", R"({"type":"key","key":"ab"})",
        R"({"type":"text","text":""})", R"({"type":"text","text":"a\u0007"})",
        R"({"type":"text","text":"\u0085"})", R"({"type":"text","text":5})",
        R"({"type":"click","x":"left","y":0})", R"({"type":"click","y":0.5})",
        R"({"type":"scroll","x":0,"y":0,"dx":"far"})", R"({"type":"launch"})", R"([1])"}) {
    CAPTURE(bad);
    Status status = parse(bad, &input);
    CHECK(status.code() == ErrorCode::InvalidArgument);
    CHECK(!status.message().empty());
  }
  std::string longText = R"({"type":"text","text":")" + std::string(kMaxLiveText + 1, 'x') + "\"}";
  CHECK(parse(longText.c_str(), &input).code() == ErrorCode::InvalidArgument);
  std::string longest = R"({"type":"text","text":")" + std::string(kMaxLiveText, 'x') + "\"}";
  CHECK(parse(longest.c_str(), &input).isOk());
}
