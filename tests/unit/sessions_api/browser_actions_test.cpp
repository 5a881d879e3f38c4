// browserActions are checked before anything runs: types, required fields, nesting, phases.
#include "sessions_api/browser_actions.h"

#include <doctest/doctest.h>

using namespace wdh;

namespace {

Status check(const char* json) {
  rapidjson::Document doc;
  doc.Parse(json);
  REQUIRE_FALSE(doc.HasParseError());
  return checkActions(doc);
}

} // namespace

TEST_CASE("browser actions: the clients' action list is accepted") {
  CHECK(check(R"([{"type":"click","cssSelector":"#a","wait":100},
                  {"type":"type","cssSelector":"#q","text":"hi"},
                  {"type":"goto","url":"https://example.com/"},
                  {"type":"wait","wait":10},
                  {"type":"wait_for_selector","cssSelector":"p","timeout":1000},
                  {"type":"wait_for_function","code":"window.ready"},
                  {"type":"wait_for_load_state","waitForLoadState":"networkidle"},
                  {"type":"wait_for_cookie","cookieName":"sid"},
                  {"type":"execute_js","code":"1+1","dontReturnValue":true},
                  {"type":"scroll","repeat":3,"delayMs":10},
                  {"type":"hover","cssSelector":"a"},
                  {"type":"keyboard","value":"enter"},
                  {"type":"dropdown","cssSelector":"select","index":1},
                  {"type":"switch_iframe","cssSelector":"iframe"},
                  {"type":"set_viewport","width":800,"height":600},
                  {"type":"if","condition":"true","then":[{"type":"wait"}],"or":[]},
                  {"type":"while","condition":"false","then":[],"maxAttempts":3},
                  {"type":"remove_iframes","when":"beforeload","ignoreErrors":true}])")
            .isOk());
  CHECK(check("null").isOk());
  CHECK(check("[]").isOk());
}

TEST_CASE("browser actions: bad lists say what to fix") {
  Status unknown = check(R"([{"type":"fly"}])");
  CHECK(unknown.code() == ErrorCode::InvalidArgument);
  CHECK(unknown.message().find("known: click, type, goto") != std::string::npos);
  CHECK(check(R"([{"type":"solve_captcha"}])").code() == ErrorCode::UnsupportedOperation);
  CHECK(check(R"([{"type":"discord_login"}])").code() == ErrorCode::UnsupportedOperation);
  for (const char* bad : {R"({"type":"click"})", R"([{"cssSelector":"#a"}])",
                          R"([{"type":"click"}])", R"([{"type":"type","cssSelector":"#a"}])",
                          R"([{"type":"goto","url":"file:///etc/passwd"}])",
                          R"([{"type":"keyboard","value":"f13"}])", R"([{"type":"execute_js"}])",
                          R"([{"type":"wait_for_load_state","waitForLoadState":"idle"}])",
                          R"([{"type":"click","cssSelector":"#a","when":"later"}])",
                          R"([{"type":"if","condition":"1","then":[{"type":"nope"}]}])",
                          R"([{"type":"if","condition":"1","then":{}}])", R"([1])"}) {
    CAPTURE(bad);
    CHECK(check(bad).code() == ErrorCode::InvalidArgument);
  }
  std::string deep = R"([{"type":"wait"}])";
  for (int level = 0; level < 10; ++level)
    deep = R"([{"type":"if","condition":"1","then":)" + deep + "}]";
  CHECK(check(deep.c_str()).message().find("deeper") != std::string::npos);
}
