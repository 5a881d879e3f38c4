// The host's side of the reply channel: what a plugin call answered becomes a Status, and what
// it did against the contract (extra replies, codes that are no W3C code, launch-reply keys the
// contract does not name) is found for the log. NULL and odd inputs never crash.
#include "plugin/plugin_reply.h"

#include <doctest/doctest.h>
#include <string>

using namespace wdh;

namespace {

wdhost_str str(const std::string& s) {
  return wdhost_str{s.data(), s.size()};
}

} // namespace

TEST_CASE("plugin reply: the first reply wins, later ones are counted, NULL is harmless") {
  PluginReply reply;
  replyJson(&reply, str("{\"a\":1}"));
  replyError(&reply, str("invalid argument"), str("late"));
  replyJson(&reply, str("[]"));
  replyErrorData(&reply, str("timeout"), str("later"), str("{}"));
  CHECK(reply.kind == PluginReply::Kind::Json);
  CHECK(reply.json == "{\"a\":1}");
  CHECK(reply.ignoredCalls == 3);

  // A NULL reply or NULL strings: nothing happens, or empty text.
  replyJson(nullptr, str("{}"));
  replyError(nullptr, str("x"), str("y"));
  replyErrorData(nullptr, str("x"), str("y"), str("{}"));
  PluginReply empty;
  replyError(&empty, wdhost_str{nullptr, 5}, wdhost_str{nullptr, 0});
  CHECK(empty.kind == PluginReply::Kind::Error);
  CHECK(empty.error.empty());
  CHECK(empty.message.empty());
}

TEST_CASE("plugin reply: an error's data is kept only when it is a JSON object") {
  PluginReply object;
  replyErrorData(&object, str("unexpected alert open"), str("a prompt"), str(R"( {"text":"hi"} )"));
  CHECK(object.data == R"({"text":"hi"})");
  PluginReply array;
  replyErrorData(&array, str("unexpected alert open"), str("a prompt"), str("[1]"));
  CHECK(array.kind == PluginReply::Kind::Error);
  CHECK(array.data.empty());
  PluginReply broken;
  replyErrorData(&broken, str("unexpected alert open"), str("p"), wdhost_str{nullptr, 0});
  CHECK(broken.data.empty());
}

TEST_CASE("plugin reply: statuses follow the contract, with the call's fallback code") {
  PluginReply none;
  CHECK(replyStatus(WDHOST_OK, none, "x", ErrorCode::UnknownError, false).isOk());
  CHECK(replyStatus(WDHOST_OK, none, "x", ErrorCode::UnknownError, true).code() ==
        ErrorCode::UnknownError);
  CHECK(replyStatus(WDHOST_ERROR, none, "x", ErrorCode::SessionNotCreated, true).code() ==
        ErrorCode::SessionNotCreated);
  CHECK(replyStatus(99, none, "x", ErrorCode::InvalidArgument, true).code() ==
        ErrorCode::InvalidArgument);

  PluginReply known;
  replyError(&known, str("no such element"), str("gone"));
  Status status = replyStatus(WDHOST_ERROR, known, "chrome", ErrorCode::UnknownError, true);
  CHECK(status.code() == ErrorCode::NoSuchElement);
  CHECK(status.message() == "chrome: gone");

  PluginReply okWithError;
  replyError(&okWithError, str("timeout"), str("but OK"));
  CHECK(replyStatus(WDHOST_OK, okWithError, "x", ErrorCode::UnknownError, true).code() ==
        ErrorCode::UnknownError);
}

TEST_CASE("plugin reply: misuse is found for the log") {
  PluginReply clean;
  replyJson(&clean, str("{}"));
  CHECK(replyMisuse(WDHOST_OK, clean, ErrorCode::UnknownError).empty());

  PluginReply twice;
  replyJson(&twice, str("{}"));
  replyJson(&twice, str("{}"));
  std::vector<std::string> lines = replyMisuse(WDHOST_OK, twice, ErrorCode::UnknownError);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("1 more time") != std::string::npos);

  PluginReply invented;
  replyError(&invented, str("browser exploded"), str("boom"));
  lines = replyMisuse(WDHOST_ERROR, invented, ErrorCode::SessionNotCreated);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("'browser exploded'") != std::string::npos);
  CHECK(lines[0].find("session not created") != std::string::npos);
  // ... and it is answered as the fallback.
  CHECK(replyStatus(WDHOST_ERROR, invented, "x", ErrorCode::SessionNotCreated, true).code() ==
        ErrorCode::SessionNotCreated);

  PluginReply unknownError;
  replyError(&unknownError, str("unknown error"), str("honest"));
  CHECK(replyMisuse(WDHOST_ERROR, unknownError, ErrorCode::SessionNotCreated).empty());

  // A huge invented code is cut in the log line.
  PluginReply huge;
  replyError(&huge, str(std::string(100000, 'x')), str("m"));
  lines = replyMisuse(WDHOST_ERROR, huge, ErrorCode::UnknownError);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].size() < 1000);
}

TEST_CASE("plugin reply: launch-reply keys outside the contract are named") {
  CHECK(isLaunchReplyKey("capabilities"));
  CHECK(isLaunchReplyKey("upstream"));
  CHECK(isLaunchReplyKey("cdp"));
  CHECK_FALSE(isLaunchReplyKey("bidi"));
  CHECK(unknownLaunchReplyKeys(R"({"capabilities":{},"upstream":"u","cdp":"c"})").empty());
  std::vector<std::string> unknown =
      unknownLaunchReplyKeys(R"({"capabilities":{},"upsteam":"typo","extra":1})");
  CHECK(unknown == std::vector<std::string>{"upsteam", "extra"});
  CHECK(unknownLaunchReplyKeys("not json").empty());
  CHECK(unknownLaunchReplyKeys("[]").empty());
  CHECK(unknownLaunchReplyKeys("").empty());
}
