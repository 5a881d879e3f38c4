// The trace's pure parts: command names, what is left out of request bodies, the bounded
// record and its JSON, the wdhost:trace capability, and the viewer file's escaping.
#include "trace/command_names.h"
#include "trace/trace_export.h"
#include "trace/trace_record.h"
#include "trace/trace_redaction.h"
#include "webdriver/trace_capabilities.h"

#include "json/json.h"
#include <doctest/doctest.h>

using namespace wdh;

TEST_CASE("trace: W3C command names and which commands change the page") {
  CHECK(commandKind("POST", "/url").name == "Navigate To");
  CHECK(commandKind("POST", "/url").changesPage);
  CHECK(commandKind("GET", "/url").name == "Get Current URL");
  CHECK_FALSE(commandKind("GET", "/url").changesPage);
  CHECK(commandKind("POST", "/element/abc-1/click").name == "Element Click");
  CHECK(commandKind("POST", "/element/abc-1/click").changesPage);
  CHECK(commandKind("GET", "/element/abc-1/property/value").name == "Get Element Property");
  CHECK(commandKind("POST", "/element").name == "Find Element");
  CHECK(commandKind("POST", "/shadow/s/elements").name == "Find Elements From Shadow Root");
  CHECK(commandKind("DELETE", "").name == "Delete Session");
  CHECK(commandKind("POST", "/execute/sync").changesPage);
  CHECK(commandKind("GET", "/moz/context").name.empty());
  CHECK(commandKind("GET", "/element/a/b/c/d").name.empty());
  CHECK(elementOf("/element/abc/value") == "abc");
  CHECK(elementOf("/element/active").empty());
  CHECK(elementOf("/url").empty());
}

TEST_CASE("trace: typed text and script arguments are left out as asked") {
  const char* keys = R"({"text":"hunter2","value":["h","u"]})";
  CHECK(tracedRequest("POST", "/element/e/value", keys, true, true).find("hunter2") !=
        std::string::npos);
  std::string left = tracedRequest("POST", "/element/e/value", keys, false, true);
  CHECK(left.find("hunter2") == std::string::npos);
  CHECK(left.find(kRedacted) != std::string::npos);
  const char* actions =
      R"({"actions":[{"type":"key","id":"k","actions":[{"type":"keyDown","value":"q"},)"
      R"({"type":"keyUp","value":"q"}]},{"type":"pointer","id":"p","actions":[]}]})";
  left = tracedRequest("POST", "/actions", actions, false, true);
  CHECK(left.find("\"q\"") == std::string::npos);
  CHECK(left.find("pointer") != std::string::npos);
  CHECK(typedText("POST", "/actions", actions) == "q");
  CHECK(typedText("POST", "/element/e/value", keys) == "hunter2");
  CHECK(typedText("POST", "/element/e/value", R"({"value":["a","b"]})") == "ab");
  CHECK(typedText("POST", "/url", R"({"url":"x"})").empty());
  const char* script = R"({"script":"return 1","args":["secret"]})";
  CHECK(tracedRequest("POST", "/execute/sync", script, true, false).find("secret") ==
        std::string::npos);
  CHECK(tracedRequest("POST", "/execute/sync", script, true, true).find("secret") !=
        std::string::npos);
  // Not JSON, where text would be: left out whole.
  CHECK(tracedRequest("POST", "/element/e/value", "not json hunter2", false, true) == kRedacted);
  // Big bodies are cut on a character boundary.
  std::string big(kMaxTracedBody + 100, 'x');
  big[kMaxTracedBody - 1] = '\xC3';
  big[kMaxTracedBody] = '\xA9';
  std::string cut = cutBody(big);
  CHECK(cut.size() < big.size());
  CHECK(cut.find("more bytes") != std::string::npos);
  CHECK(cut[kMaxTracedBody - 1] != '\xC3');
}

namespace {

std::shared_ptr<const ViewFrame> picture(std::size_t bytes) {
  auto frame = std::make_shared<ViewFrame>();
  frame->contentType = "image/png";
  frame->bytes.assign(bytes, 'p');
  return frame;
}

} // namespace

TEST_CASE("trace: the record drops its oldest pictures past its bounds and says so") {
  TraceBounds bounds;
  bounds.maxFrames = 3;
  bounds.maxBytes = 1000;
  TraceRecord record(bounds);
  auto first = picture(10);
  std::uint64_t id = record.keep(first, 1);
  CHECK(record.keep(first, 2) == id); // the same picture again is kept once
  for (int i = 0; i < 5; ++i)
    record.keep(picture(10), 3 + i);
  rapidjson::Document doc;
  REQUIRE(parseJsonObject(record.json(), &doc).isOk());
  CHECK(doc["frames"].Size() == 3);
  CHECK(doc["droppedFrames"].GetUint64() == 3);
  record.keep(picture(995), 10); // past the bytes: the older ones go
  REQUIRE(parseJsonObject(record.json(), &doc).isOk());
  CHECK(doc["frames"].Size() == 1);
  CHECK(std::string(doc["frames"][0]["data"].GetString()).rfind("data:image/png;base64,", 0) == 0);
}

TEST_CASE("trace: a secret is left out of everything the record says, typed or form-encoded") {
  TraceRecord record(TraceBounds{});
  TracedCommand command;
  command.method = "GET";
  command.path = "/url";
  command.response = R"({"value":"http://x/done?password=pa+ss%26word&n=1"})";
  command.url = "http://x/done?password=pa%20ss%26word";
  record.add(command);
  record.note(5, "console", "typed pa ss&word here");
  record.addSecret("pa ss&word");
  record.addSecret("abc"); // too short to scrub from ordinary text
  record.note(6, "console", "abc stays");
  std::string json = record.json();
  CHECK(json.find("pa ss&word") == std::string::npos);
  CHECK(json.find("pa+ss%26word") == std::string::npos);
  CHECK(json.find("pa%20ss%26word") == std::string::npos);
  CHECK(json.find("abc stays") != std::string::npos);
  // A secret that is part of the stand-in itself does not loop.
  record.addSecret("dacted");
  CHECK(record.json().find("dacted]") != std::string::npos);
}

TEST_CASE("trace: commands past the bound drop the oldest and keep their numbers") {
  TraceBounds bounds;
  bounds.maxCommands = 2;
  TraceRecord record(bounds);
  for (std::uint64_t n = 1; n <= 4; ++n) {
    TracedCommand command;
    command.number = n;
    record.add(command);
  }
  CHECK(record.commands() == 4);
  CHECK(record.command(1) == nullptr);
  REQUIRE(record.command(4) != nullptr);
  CHECK(record.command(4)->number == 4);
  rapidjson::Document doc;
  REQUIRE(parseJsonObject(record.json(), &doc).isOk());
  CHECK(doc["droppedCommands"].GetUint64() == 2);
}

TEST_CASE("trace: wdhost:trace takes a mode, true or false, or an object") {
  auto read = [](const char* caps, TraceAsk* ask) {
    rapidjson::Document doc;
    REQUIRE(parseJsonObject(caps, &doc).isOk());
    return takeTraceAsk(doc, ask);
  };
  TraceAsk ask;
  CHECK(read(R"({"wdhost:trace":"on-failure"})", &ask).isOk());
  CHECK(ask.mode == TraceMode::OnFailure);
  CHECK(read(R"({"wdhost:trace":false})", &ask).isOk());
  CHECK(ask.mode == TraceMode::Off);
  ask = TraceAsk{};
  CHECK(read(R"({"wdhost:trace":{"redact":true}})", &ask).isOk());
  CHECK(ask.mode == TraceMode::On);
  CHECK(ask.redact);
  CHECK(read(R"({})", &ask).isOk());
  Status bad = read(R"({"wdhost:trace":"always"})", &ask);
  CHECK(bad.code() == ErrorCode::InvalidArgument);
  CHECK(bad.message().find("\"on-failure\"") != std::string::npos);
  CHECK(read(R"({"wdhost:trace":{"mode":"on","extra":1}})", &ask).code() ==
        ErrorCode::InvalidArgument);
  CHECK(read(R"({"wdhost:trace":3})", &ask).code() == ErrorCode::InvalidArgument);
}

TEST_CASE("trace: the viewer file holds the trace where no text of it can end the script") {
  std::string html = traceHtml(R"({"sessionId":"s","x":"</script><script>alert(1)</script>"})");
  CHECK(html.find("<script>alert(1)") == std::string::npos);
  CHECK(html.find("\\u003c/script>\\u003cscript>alert(1)") != std::string::npos);
  CHECK(html.find("/*TRACE-DATA*/") == std::string::npos);
  CHECK(html.rfind("<!doctype html>", 0) == 0);
}

TEST_CASE("trace: typed text splits at WebDriver's special keys, which are left out") {
  // "pw1" Enter "next" Tab: U+E007 and U+E004.
  const char* keys = "{\"text\":\"pw12\xEE\x80\x87next\xEE\x80\x84\"}";
  CHECK(typedParts("POST", "/element/e/value", keys) == std::vector<std::string>{"pw12", "next"});
  CHECK(typedParts("POST", "/url", R"({"url":"x"})").empty());
  // A secret is also left out where JSON escapes it.
  TraceRecord record(TraceBounds{});
  record.note(1, "console", R"(said "a<b\"c" and a\u003Cb\"c)");
  record.addSecret("a<b\"c");
  std::string json = record.json();
  CHECK(json.find("a<b") == std::string::npos);
  CHECK(json.find("a\\\\u003Cb") == std::string::npos);
}
