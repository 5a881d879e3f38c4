#include "webdriver/websocket_capabilities.h"

#include <doctest/doctest.h>

using namespace wdh;

namespace {

rapidjson::Document parse(const char* json) {
  rapidjson::Document doc;
  doc.Parse(json);
  REQUIRE(!doc.HasParseError());
  return doc;
}

std::string str(const rapidjson::Value& caps, const char* key) {
  auto it = caps.FindMember(key);
  return it != caps.MemberEnd() && it->value.IsString() ? it->value.GetString() : "<none>";
}

} // namespace

TEST_CASE("websocket capabilities: the driver's BiDi URL is replaced by the host's") {
  auto caps = parse(R"({"browserVersion":"156.0","webSocketUrl":"ws://127.0.0.1:39065/session/d1",
                        "goog:chromeOptions":{"debuggerAddress":"localhost:9"}})");
  LaunchedSockets launched{true, "http://127.0.0.1:9"};
  SessionSockets sockets =
      exposeWebSockets(&caps, caps.GetAllocator(), launched, "ws://10.0.0.5:4444", "s-1");
  CHECK(sockets.bidi == "ws://127.0.0.1:39065/session/d1");
  CHECK(sockets.cdp == "http://127.0.0.1:9");
  CHECK(str(caps, "webSocketUrl") == "ws://10.0.0.5:4444/session/s-1/se/bidi");
  CHECK(str(caps, "se:cdp") == "ws://10.0.0.5:4444/session/s-1/se/cdp");
  CHECK(str(caps, "se:forwardCdp") == "ws://10.0.0.5:4444/session/s-1/se/cdp");
  CHECK(str(caps, "se:cdpVersion") == "156.0");
  CHECK(sockets.publicBidi == str(caps, "webSocketUrl"));
  CHECK(sockets.publicCdp == str(caps, "se:cdp"));
  CHECK_FALSE(caps.HasMember("se:bidiEnabled"));
}

TEST_CASE("websocket capabilities: a backend without BiDi or CDP gets Grid's fallback") {
  auto caps = parse(R"({"browserName":"MiniBrowser","webSocketUrl":true})");
  LaunchedSockets launched{true, ""};
  SessionSockets sockets =
      exposeWebSockets(&caps, caps.GetAllocator(), launched, "ws://127.0.0.1:1", "s");
  CHECK(sockets.bidi.empty());
  CHECK(sockets.publicBidi.empty());
  CHECK_FALSE(caps.HasMember("webSocketUrl"));
  CHECK(caps["se:bidiEnabled"].IsFalse());
  CHECK(caps["se:cdpEnabled"].IsFalse());
  CHECK_FALSE(caps.HasMember("se:cdp"));
}

TEST_CASE("websocket capabilities: BiDi not asked for is not announced as disabled") {
  auto caps = parse(R"({"browserName":"firefox"})");
  exposeWebSockets(&caps, caps.GetAllocator(), LaunchedSockets{}, "ws://h:1", "s");
  CHECK_FALSE(caps.HasMember("se:bidiEnabled"));
  CHECK_FALSE(caps.HasMember("webSocketUrl"));
}
