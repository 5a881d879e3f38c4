// browserActions: checked before anything runs (types, required fields, nesting, phases), and run
// on a scripted session: the commands each action sends, errors, and the one deadline.
#include "sessions_api/browser_actions.h"

#include <chrono>
#include <doctest/doctest.h>
#include <string>
#include <vector>

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

namespace {

// A session that answers from a script instead of a browser, and records every command.
class ScriptedSession : public wdh::WebDriverCalls {
public:
  // Answers a command whose "METHOD suffix" starts with `prefix` with `value` (JSON text), or
  // with `error` when it is not Ok.
  void answer(std::string prefix, std::string value, wdh::Status error = wdh::Status::ok()) {
    answers_.push_back({std::move(prefix), std::move(value), std::move(error)});
  }
  const std::string& sessionId() const override { return id_; }
  wdh::Status call(std::string_view method, std::string_view suffix, const std::string& body,
                   rapidjson::Document* value) override {
    std::string command = std::string(method) + " " + std::string(suffix);
    sent.push_back(command + " " + body);
    for (const Answer& a : answers_)
      if (command.rfind(a.prefix, 0) == 0) {
        if (!a.error.isOk())
          return a.error;
        value->Parse(a.value.c_str());
        return wdh::Status::ok();
      }
    value->SetNull();
    return wdh::Status::ok();
  }
  std::vector<std::string> sent; // every command, "METHOD suffix body"

private:
  struct Answer {
    std::string prefix, value;
    wdh::Status error;
  };
  std::vector<Answer> answers_;
  std::string id_ = "scripted";
};

rapidjson::Document actionsOf(const char* json) {
  rapidjson::Document doc;
  doc.Parse(json);
  REQUIRE(doc.IsArray());
  REQUIRE(wdh::checkActions(doc).isOk());
  return doc;
}

std::size_t countOf(const std::vector<std::string>& sent, const std::string& prefix) {
  std::size_t n = 0;
  for (const std::string& line : sent)
    n += line.rfind(prefix, 0) == 0 ? 1 : 0;
  return n;
}

const wdh::RequestDeadline kMinute(std::chrono::minutes(1), {});

} // namespace

TEST_CASE("browser actions runner: a click finds its element, then clicks it, in its phase") {
  ScriptedSession session;
  session.answer("POST /element", R"({"element-6066-11e4-a52e-4f735466cecf":"e1"})");
  rapidjson::Document actions = actionsOf(
      R"([{"type":"click","cssSelector":"#go"},{"type":"goto","url":"https://a.test/","when":"beforeload"}])");
  wdh::ActionResults results;
  REQUIRE(wdh::runActions(session, actions, wdh::ActionPhase::AfterLoad, kMinute, &results).isOk());
  REQUIRE(session.sent.size() == 2);
  CHECK(session.sent[0] == R"(POST /element {"using":"css selector","value":"#go"})");
  CHECK(session.sent[1] == "POST /element/e1/click {}");
  session.sent.clear();
  REQUIRE(
      wdh::runActions(session, actions, wdh::ActionPhase::BeforeLoad, kMinute, &results).isOk());
  REQUIRE(session.sent.size() == 1);
  CHECK(session.sent[0] == R"(POST /url {"url":"https://a.test/"})");
}

TEST_CASE("browser actions runner: execute_js results, ignoreErrors, and the first error stops") {
  ScriptedSession session;
  session.answer("POST /execute/sync", "42");
  session.answer("POST /url", "", wdh::Status(wdh::ErrorCode::UnknownError, "no network"));
  rapidjson::Document actions = actionsOf(R"([{"type":"execute_js","code":"return 6*7"},
      {"type":"goto","url":"https://a.test/","ignoreErrors":true},
      {"type":"execute_js","code":"1+1"},
      {"type":"goto","url":"https://b.test/"},
      {"type":"execute_js","code":"return 'never'"}])");
  wdh::ActionResults results;
  wdh::Status status =
      wdh::runActions(session, actions, wdh::ActionPhase::AfterLoad, kMinute, &results);
  CHECK(status.code() == wdh::ErrorCode::UnknownError);
  CHECK(status.message().find("goto") != std::string::npos);
  CHECK(results.javascriptReturn == std::vector<std::string>{"42", "42"});
  CHECK(countOf(session.sent, "POST /execute/sync") == 2);
}

TEST_CASE("browser actions runner: a while loop stops at its attempts, and at the deadline") {
  ScriptedSession session;
  session.answer("POST /execute/sync", "true"); // the condition always holds
  rapidjson::Document loop = actionsOf(
      R"([{"type":"while","condition":"true","maxAttempts":5,"then":[{"type":"goto","url":"https://a.test/"}]}])");
  wdh::ActionResults results;
  REQUIRE(wdh::runActions(session, loop, wdh::ActionPhase::AfterLoad, kMinute, &results).isOk());
  CHECK(countOf(session.sent, "POST /url") == 5);
  // A request whose deadline has passed runs nothing more, however the actions nest.
  session.sent.clear();
  wdh::RequestDeadline spent(std::chrono::milliseconds(0), {});
  wdh::Status status = wdh::runActions(session, loop, wdh::ActionPhase::AfterLoad, spent, &results);
  CHECK(status.code() == wdh::ErrorCode::Timeout);
  CHECK(session.sent.empty());
  // A client that left ends it too.
  wdh::RequestDeadline gone(std::chrono::minutes(1), [] { return true; });
  CHECK_FALSE(wdh::runActions(session, loop, wdh::ActionPhase::AfterLoad, gone, &results).isOk());
  CHECK(session.sent.empty());
}
