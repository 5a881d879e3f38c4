// The Marionette wire protocol: framing, command messages, replies and value unwrapping.
#include "marionette_protocol.h"

#include <doctest/doctest.h>
#include <vector>
#include <wdhost/plugin.hpp>

using namespace wdhost::firefox;

TEST_CASE("firefox: a frame is the decimal byte length, a colon, then the JSON") {
  CHECK(encodeFrame("{}") == "2:{}");
  CHECK(encodeFrame("") == "0:");
  CHECK(encodeFrame("[1,2,null,{\"value\":\"\xc3\xa9\"}]") ==
        "25:[1,2,null,{\"value\":\"\xc3\xa9\"}]");
}

TEST_CASE("firefox: frames are reassembled from partial reads") {
  FrameDecoder decoder;
  std::string stream = encodeFrame(R"({"applicationType":"gecko","marionetteProtocol":3})") +
                       encodeFrame(R"([1,1,null,{"value":null}])");
  // One byte at a time: nothing until a frame is whole.
  std::vector<std::string> frames;
  for (char c : stream) {
    decoder.feed(std::string_view(&c, 1));
    while (auto frame = decoder.next())
      frames.push_back(*frame);
  }
  REQUIRE(frames.size() == 2);
  CHECK(isHello(frames[0]));
  CHECK(frames[1] == R"([1,1,null,{"value":null}])");
  CHECK(decoder.pending() == 0);

  // Two frames and a half in one read.
  FrameDecoder batch;
  batch.feed("2:{}3:[1]5:[1,");
  CHECK(batch.next() == std::optional<std::string>("{}"));
  CHECK(batch.next() == std::optional<std::string>("[1]"));
  CHECK_FALSE(batch.next().has_value());
  batch.feed("2]");
  CHECK(batch.next() == std::optional<std::string>("[1,2]"));
}

TEST_CASE("firefox: a stream that is not Marionette framing is an error") {
  FrameDecoder letters;
  letters.feed("HTTP/1.1 200 OK");
  CHECK_THROWS_AS(letters.next(), wdhost::Error);
  FrameDecoder noColon;
  noColon.feed("123456789012345");
  CHECK_THROWS_AS(noColon.next(), wdhost::Error);
  FrameDecoder huge;
  huge.feed("9999999999:");
  CHECK_THROWS_AS(huge.next(), wdhost::Error);
  FrameDecoder empty;
  empty.feed(":{}");
  CHECK_THROWS_AS(empty.next(), wdhost::Error);
}

TEST_CASE("firefox: command messages are [0, id, name, params]") {
  CHECK(commandMessage(7, "WebDriver:GetTitle", "{}") == R"([0,7,"WebDriver:GetTitle",{}])");
  CHECK(commandMessage(8, "WebDriver:Navigate", R"({"url":"about:blank"})") ==
        R"([0,8,"WebDriver:Navigate",{"url":"about:blank"}])");
  CHECK(commandMessage(9, "WebDriver:Refresh", "") == R"([0,9,"WebDriver:Refresh",{}])");
}

TEST_CASE("firefox: replies carry a result or a W3C error") {
  Reply ok = parseReply(R"([1,3,null,{"value":"Hello"}])");
  CHECK(ok.id == 3);
  CHECK_FALSE(ok.failed);
  CHECK(ok.result == R"({"value":"Hello"})");

  Reply error = parseReply(
      R"([1,4,{"error":"no such element","message":"Unable to locate element: #x","stacktrace":"..."},null])");
  CHECK(error.id == 4);
  CHECK(error.failed);
  CHECK(error.error == "no such element");
  CHECK(error.message == "Unable to locate element: #x");

  Reply alert = parseReply(
      R"([1,6,{"error":"unexpected alert open","message":"m","data":{"text":"cheese"}},null])");
  CHECK(alert.error == "unexpected alert open");
  CHECK(alert.data == R"({"text":"cheese"})");
  CHECK(error.data.empty());
  CHECK(parseReply(R"([1,7,{"error":"x","message":"m","data":{}},null])").data.empty());
  CHECK(parseReply(R"([1,7,{"error":"x","message":"m","data":"text"},null])").data.empty());

  Reply odd = parseReply(R"([1,5,{"weird":true},null])");
  CHECK(odd.failed);
  CHECK(odd.error == "unknown error");
  CHECK(odd.message.find("weird") != std::string::npos);

  CHECK_THROWS_AS(parseReply(R"([0,1,"WebDriver:GetTitle",{}])"), wdhost::Error);
  CHECK_THROWS_AS(parseReply(R"({"applicationType":"gecko"})"), wdhost::Error);
  CHECK_THROWS_AS(parseReply("not json"), wdhost::Error);
}

TEST_CASE("firefox: Marionette's {\"value\": x} wrapping is removed, plain objects kept") {
  CHECK(unwrapValue(R"({"value":"Hello"})") == R"("Hello")");
  CHECK(unwrapValue(R"({"value":null})") == "null");
  CHECK(unwrapValue(R"({"value":{"value":5}})") == R"({"value":5})");
  CHECK(unwrapValue(R"({"value":[1,2]})") == "[1,2]");
  CHECK(unwrapValue(R"(["a","b"])") == R"(["a","b"])");
  CHECK(unwrapValue(R"({"x":0,"y":0,"width":1366,"height":768})") ==
        R"({"x":0,"y":0,"width":1366,"height":768})");
  CHECK(unwrapValue("null") == "null");
}

TEST_CASE("firefox: the hello is recognised") {
  CHECK(isHello(R"({"applicationType":"gecko","marionetteProtocol":3})"));
  CHECK_FALSE(isHello(R"({"applicationType":"gecko","marionetteProtocol":2})"));
  CHECK_FALSE(isHello(R"({"applicationType":"other","marionetteProtocol":3})"));
  CHECK_FALSE(isHello("[1,2]"));
}
