// The W3C -> Marionette endpoint table: every classic endpoint maps, methods are checked, path
// segments become params, and values come back unwrapped.
#include "marionette_endpoints.h"

#include <doctest/doctest.h>
#include <functional>
#include <rapidjson/document.h>
#include <set>
#include <wdhost/plugin.hpp>
#include <wdhost/w3c_endpoints.hpp>

using namespace wdhost::firefox;

namespace {

std::string commandFor(const std::string& method, const std::string& path) {
  return std::string(matchEndpoint(method, path).endpoint->command);
}

std::string paramsFor(const std::string& method, const std::string& path,
                      const std::string& body = "") {
  return buildParams(matchEndpoint(method, path), body);
}

std::string errorCode(const std::function<void()>& call) {
  try {
    call();
  } catch (const wdhost::Error& e) {
    return e.code();
  }
  return "";
}

} // namespace

TEST_CASE("firefox: every W3C endpoint maps to a Marionette command") {
  std::set<std::string> commands;
  for (const wdhost::w3c::Endpoint& endpoint : wdhost::w3c::kSessionEndpoints) {
    std::string path(endpoint.pattern);
    for (std::size_t star = path.find('*'); star != std::string::npos; star = path.find('*'))
      path.replace(star, 1, "E1");
    CAPTURE(endpoint.method);
    CAPTURE(path);
    Match match = matchEndpoint(endpoint.method, path);
    REQUIRE(match.endpoint != nullptr);
    std::string command(match.endpoint->command);
    CHECK((command.rfind("WebDriver:", 0) == 0 || command.rfind("Permissions:", 0) == 0 ||
           command.rfind("WebAuthn:", 0) == 0));
    commands.insert(command);
  }
  // Find (from element) shares FindElement(s); the cookie by name shares GetCookies.
  CHECK(commands.size() >= 60);
  // The bridge's table is keyed on the shared table: each entry one W3C endpoint, none twice.
  std::set<std::size_t> keys;
  for (const Endpoint& endpoint : endpoints()) {
    REQUIRE(endpoint.w3c < wdhost::w3c::kSessionEndpointCount);
    CHECK_MESSAGE(keys.insert(endpoint.w3c).second, endpoint.pattern());
    CHECK(endpoint.method() == wdhost::w3c::kSessionEndpoints[endpoint.w3c].method);
  }
  CHECK(keys.size() == wdhost::w3c::kSessionEndpointCount);
}

TEST_CASE("firefox: well-known endpoints map to the right commands") {
  CHECK(commandFor("POST", "/url") == "WebDriver:Navigate");
  CHECK(commandFor("GET", "/url") == "WebDriver:GetCurrentURL");
  CHECK(commandFor("GET", "/title") == "WebDriver:GetTitle");
  CHECK(commandFor("POST", "/element/E/click") == "WebDriver:ElementClick");
  CHECK(commandFor("POST", "/element/E/element") == "WebDriver:FindElement");
  CHECK(commandFor("POST", "/shadow/S/elements") == "WebDriver:FindElementsFromShadowRoot");
  CHECK(commandFor("GET", "/element/E/shadow") == "WebDriver:GetShadowRoot");
  CHECK(commandFor("GET", "/element/E/css/color") == "WebDriver:GetElementCSSValue");
  CHECK(commandFor("GET", "/element/E/name") == "WebDriver:GetElementTagName");
  CHECK(commandFor("POST", "/execute/async") == "WebDriver:ExecuteAsyncScript");
  CHECK(commandFor("GET", "/cookie/N") == "WebDriver:GetCookies");
  CHECK(commandFor("DELETE", "/cookie/N") == "WebDriver:DeleteCookie");
  CHECK(commandFor("DELETE", "/cookie") == "WebDriver:DeleteAllCookies");
  CHECK(commandFor("POST", "/alert/text") == "WebDriver:SendAlertText");
  CHECK(commandFor("GET", "/element/E/screenshot") == "WebDriver:TakeScreenshot");
  CHECK(commandFor("POST", "/print") == "WebDriver:Print");
  CHECK(commandFor("DELETE", "/window") == "WebDriver:CloseWindow");
  CHECK(commandFor("POST", "/window") == "WebDriver:SwitchToWindow");
  CHECK(commandFor("GET", "/element/E/displayed") == "WebDriver:IsElementDisplayed");
  CHECK(commandFor("GET", "/title/") == "WebDriver:GetTitle");
}

TEST_CASE("firefox: unknown paths and wrong methods are W3C errors") {
  CHECK(errorCode([] { matchEndpoint("GET", "/nope"); }) == "unknown command");
  CHECK(errorCode([] { matchEndpoint("GET", "/element/E/nope"); }) == "unknown command");
  CHECK(errorCode([] { matchEndpoint("POST", "/title"); }) == "unknown method");
  CHECK(errorCode([] { matchEndpoint("PUT", "/url"); }) == "unknown method");
  CHECK(errorCode([] { matchEndpoint("GET", "/element/E/click"); }) == "unknown method");
  CHECK(errorCode([] { matchEndpoint("POST", "/element/active"); }) == "unknown method");
  try {
    matchEndpoint("PUT", "/cookie");
    FAIL("no error");
  } catch (const wdhost::Error& e) {
    std::string message = e.what();
    CHECK(message.find("GET") != std::string::npos);
    CHECK(message.find("POST") != std::string::npos);
    CHECK(message.find("DELETE") != std::string::npos);
  }
}

TEST_CASE("firefox: path segments become Marionette params, references pass through") {
  Match match = matchEndpoint("GET", "/element/abc-123/attribute/data-x");
  REQUIRE(match.segments.size() == 2);
  CHECK(match.segments[0] == "abc-123");
  CHECK(match.segments[1] == "data-x");
  CHECK(buildParams(match, "") == R"({"id":"abc-123","name":"data-x"})");
  CHECK(paramsFor("GET", "/element/E1/property/value") == R"({"id":"E1","name":"value"})");
  CHECK(paramsFor("GET", "/element/E1/css/background-color") ==
        R"({"id":"E1","propertyName":"background-color"})");
  CHECK(paramsFor("POST", "/element/E1/click", "{}") == R"({"id":"E1"})");
  CHECK(paramsFor("POST", "/element/E1/value", R"({"text":"hi"})") == R"({"text":"hi","id":"E1"})");
  CHECK(paramsFor("POST", "/element/E1/elements", R"({"using":"css selector","value":"a"})") ==
        R"({"using":"css selector","value":"a","element":"E1"})");
  CHECK(paramsFor("POST", "/shadow/S1/element", R"({"using":"css selector","value":"a"})") ==
        R"({"using":"css selector","value":"a","shadowRoot":"S1"})");
  CHECK(paramsFor("DELETE", "/cookie/my%20cookie") == R"({"name":"my cookie"})");
  CHECK(paramsFor("GET", "/screenshot") == R"({"full":false})");
  CHECK(paramsFor("GET", "/element/E1/screenshot") == R"({"id":"E1","full":false})");
  CHECK(paramsFor("GET", "/title") == "{}");
  const std::string script =
      R"({"script":"return arguments[0]","args":[{"element-6066-11e4-a52e-4f735466cecf":"E1"}]})";
  CHECK(paramsFor("POST", "/execute/sync", script) == script);
  CHECK(paramsFor("POST", "/cookie", R"({"cookie":{"name":"a","value":"b"}})") ==
        R"({"cookie":{"name":"a","value":"b"}})");
  CHECK(paramsFor("DELETE", "/webauthn/authenticator/A1") == R"({"authenticatorId":"A1"})");
  CHECK_THROWS_AS(paramsFor("POST", "/url", "[1]"), wdhost::Error);
}

TEST_CASE("firefox: a POST without a JSON object body is invalid argument") {
  CHECK(errorCode([] { paramsFor("POST", "/window/new", ""); }) == "invalid argument");
  CHECK(errorCode([] { paramsFor("POST", "/timeouts", " "); }) == "invalid argument");
  CHECK(errorCode([] { paramsFor("POST", "/element/E1/click", ""); }) == "invalid argument");
  CHECK(errorCode([] { paramsFor("POST", "/alert/accept", ""); }) == "invalid argument");
  CHECK(errorCode([] { paramsFor("POST", "/url", "null"); }) == "invalid argument");
  CHECK(paramsFor("POST", "/alert/accept", "{}") == "{}");
  CHECK(paramsFor("GET", "/element/E1/text", "") == R"({"id":"E1"})");
}

TEST_CASE("firefox: locators are checked before Firefox sees them") {
  for (const char* path : {"/element", "/elements", "/element/E1/element", "/element/E1/elements",
                           "/shadow/S1/element", "/shadow/S1/elements"}) {
    CAPTURE(path);
    for (const char* body :
         {R"({"using":"a","value":"x"})", R"({"using":true,"value":"x"})",
          R"({"using":null,"value":"x"})", R"({"using":1,"value":"x"})", R"({"value":"x"})",
          R"({"using":"css selector","value":null})", R"({"using":"xpath","value":[]})",
          R"({"using":"tag name"})", R"({"using":"link text","value":{}})"}) {
      CAPTURE(body);
      CHECK(errorCode([&] { paramsFor("POST", path, body); }) == "invalid argument");
    }
  }
  for (const char* strategy :
       {"css selector", "link text", "partial link text", "tag name", "xpath"}) {
    std::string body = std::string(R"({"using":")") + strategy + R"(","value":"a"})";
    CHECK(paramsFor("POST", "/element", body) == body);
  }
}

TEST_CASE("firefox: New Window takes type null, a hint, tab or window") {
  CHECK(paramsFor("POST", "/window/new", R"({"type":null})") == "{}");
  CHECK(paramsFor("POST", "/window/new", R"({"type":"foo"})") == "{}");
  CHECK(paramsFor("POST", "/window/new", "{}") == "{}");
  CHECK(paramsFor("POST", "/window/new", R"({"type":"tab"})") == R"({"type":"tab"})");
  CHECK(paramsFor("POST", "/window/new", R"({"type":"window"})") == R"({"type":"window"})");
  for (const char* body : {R"({"type":true})", R"({"type":42})", R"({"type":4.2})",
                           R"({"type":[]})", R"({"type":{}})"}) {
    CAPTURE(body);
    CHECK(errorCode([&] { paramsFor("POST", "/window/new", body); }) == "invalid argument");
  }
}

TEST_CASE("firefox: Set Timeouts values are null or integers up to 2^53-1, other keys dropped") {
  CHECK(paramsFor("POST", "/timeouts", R"({"a":42})") == "{}");
  CHECK(paramsFor("POST", "/timeouts", R"({"implicit":null,"x":1})") == R"({"implicit":null})");
  CHECK(paramsFor("POST", "/timeouts", R"({"script":9007199254740991})") ==
        R"({"script":9007199254740991})");
  CHECK(paramsFor("POST", "/timeouts", R"({"pageLoad":2.0})") == R"({"pageLoad":2.0})");
  for (const char* key : {"script", "pageLoad", "implicit"})
    for (const char* value : {"-1", "2.5", "9007199254740992", "[]", "{}", "false", R"("10")"}) {
      std::string body = std::string("{\"") + key + "\":" + value + "}";
      CAPTURE(body);
      CHECK(errorCode([&] { paramsFor("POST", "/timeouts", body); }) == "invalid argument");
    }
  for (const char* body : {"1", "false", "[]", R"("{}")"})
    CHECK(errorCode([&] { paramsFor("POST", "/timeouts", body); }) == "invalid argument");
}

TEST_CASE("firefox: scripts are checked, and a script that awaits runs as an async function") {
  CHECK(paramsFor("POST", "/execute/sync", R"({"script":"return 1"})") ==
        R"({"script":"return 1","args":[]})");
  CHECK(errorCode([] { paramsFor("POST", "/execute/sync", R"({"args":[]})"); }) ==
        "invalid argument");
  CHECK(errorCode([] { paramsFor("POST", "/execute/async", R"({"script":1,"args":[]})"); }) ==
        "invalid argument");
  CHECK(errorCode([] { paramsFor("POST", "/execute/sync", R"({"script":"","args":{}})"); }) ==
        "invalid argument");
  rapidjson::Document wrapped;
  std::string params = paramsFor("POST", "/execute/async",
                                 R"js({"script":"await x; arguments[0](1)","args":[2]})js");
  wrapped.Parse(params.c_str());
  REQUIRE(wrapped.IsObject());
  std::string script = wrapped["script"].GetString();
  CHECK(script.find("async function") != std::string::npos);
  CHECK(script.find("await x; arguments[0](1)") != std::string::npos);
  CHECK(script.find(".apply(this, arguments)") != std::string::npos);
  CHECK(wrapped["args"][0].GetInt() == 2);
}

TEST_CASE("firefox: Set Window Rect sends integers, and a size or position only when whole") {
  CHECK(paramsFor("POST", "/window/rect", R"({"x":150.5,"y":250})") == R"({"x":150,"y":250})");
  CHECK(paramsFor("POST", "/window/rect", R"({"width":500.9,"height":420})") ==
        R"({"width":500,"height":420})");
  CHECK(paramsFor("POST", "/window/rect", R"({"x":-10.5,"y":-3,"width":1,"height":2})") ==
        R"({"width":1,"height":2,"x":-10,"y":-3})");
  // One member of a pair changes nothing, as the spec says.
  for (const char* body : {"{}", R"({"width":200})", R"({"height":200,"x":200})",
                           R"({"width":200,"height":null})", R"({"x":null,"y":null,"Y":1})"})
    CHECK(paramsFor("POST", "/window/rect", body) == "{}");
  for (const char* body : {R"({"width":-1})", R"({"height":2147483648})", R"({"x":"1"})",
                           R"({"y":-2147483649})", R"({"width":[]})", R"({"x":true})"}) {
    CAPTURE(body);
    CHECK(errorCode([&] { paramsFor("POST", "/window/rect", body); }) == "invalid argument");
  }
}

TEST_CASE("firefox: Perform Actions origins are viewport, pointer or an element") {
  auto move = [](const std::string& origin) {
    return R"({"actions":[{"type":"pointer","id":"p","actions":[{"type":"pointerMove","x":0,)"
           R"("y":0,"origin":)" +
           origin + "}]}]}";
  };
  auto scroll = [](const std::string& origin) {
    return R"({"actions":[{"type":"wheel","id":"w","actions":[{"type":"scroll","x":0,"y":0,)"
           R"("deltaX":0,"deltaY":0,"origin":)" +
           origin + "}]}]}";
  };
  for (const char* origin :
       {R"("viewport")", R"("pointer")", R"({"element-6066-11e4-a52e-4f735466cecf":"e"})"})
    CHECK(errorCode([&] { paramsFor("POST", "/actions", move(origin)); }).empty());
  CHECK(errorCode([&] { paramsFor("POST", "/actions", scroll(R"("viewport")")); }).empty());
  for (const char* origin : {"null", "true", "42", R"("")", R"("pointers")", R"("viewports")"}) {
    CAPTURE(origin);
    CHECK(errorCode([&] { paramsFor("POST", "/actions", move(origin)); }) == "invalid argument");
    CHECK(errorCode([&] { paramsFor("POST", "/actions", scroll(origin)); }) == "invalid argument");
  }
  // A wheel has no pointer to start from.
  CHECK(errorCode([&] { paramsFor("POST", "/actions", scroll(R"("pointer")")); }) ==
        "invalid argument");
}

TEST_CASE("firefox: each command waits only as long as it may legitimately take") {
  auto timeout = [](const char* method, const char* path, const char* body) {
    Match match = matchEndpoint(method, path);
    return answerTimeoutMs(match, buildParams(match, body), 5000, 120000, 2000);
  };
  CHECK(timeout("POST", "/window/new", R"({"type":"tab"})") == 30000);
  CHECK(timeout("GET", "/title", "") == 30000);
  CHECK(timeout("POST", "/url", R"({"url":"about:blank"})") == 150000);
  CHECK(timeout("POST", "/element/E/click", "{}") == 150000);
  CHECK(timeout("POST", "/execute/sync", R"({"script":"","args":[]})") == 35000);
  CHECK(timeout("POST", "/element", R"({"using":"xpath","value":"//a"})") == 32000);
  CHECK(
      timeout("POST", "/actions",
              R"({"actions":[{"type":"none","id":"n","actions":[{"type":"pause","duration":4000},)"
              R"({"type":"pause","duration":1000}]}]})") == 35000);
  Match navigate = matchEndpoint("POST", "/url");
  CHECK(answerTimeoutMs(navigate, "{}", 5000, -1, 0) == 3600 * 1000 + 30000);
}

TEST_CASE("firefox: Switch To Frame ids become Marionette's id or element") {
  CHECK(paramsFor("POST", "/frame", R"({"id":null})") == "{}");
  CHECK(paramsFor("POST", "/frame", R"({"id":2})") == R"({"id":2})");
  CHECK(paramsFor("POST", "/frame", R"({"id":{"element-6066-11e4-a52e-4f735466cecf":"F1"}})") ==
        R"({"element":"F1"})");
  CHECK(errorCode([] { paramsFor("POST", "/frame", "{}"); }) == "invalid argument");
  CHECK(errorCode([] { paramsFor("POST", "/frame", R"({"id":-1})"); }) == "invalid argument");
  CHECK(errorCode([] { paramsFor("POST", "/frame", R"({"id":"x"})"); }) == "invalid argument");
  CHECK(errorCode([] { paramsFor("POST", "/frame", R"({"id":70000})"); }) == "invalid argument");
}

TEST_CASE("firefox: values are unwrapped, and Get Named Cookie filters Get All Cookies") {
  CHECK(buildValue(matchEndpoint("GET", "/title"), R"({"value":"Hello"})") == R"("Hello")");
  CHECK(buildValue(matchEndpoint("GET", "/window/handles"), R"(["w1","w2"])") == R"(["w1","w2"])");
  const std::string cookies =
      R"([{"name":"a","value":"1","path":"/"},{"name":"b c","value":"2","path":"/"}])";
  CHECK(buildValue(matchEndpoint("GET", "/cookie/a"), cookies) ==
        R"({"name":"a","value":"1","path":"/"})");
  CHECK(buildValue(matchEndpoint("GET", "/cookie/b%20c"), cookies) ==
        R"({"name":"b c","value":"2","path":"/"})");
  CHECK(errorCode([&] { buildValue(matchEndpoint("GET", "/cookie/zz"), cookies); }) ==
        "no such cookie");
  CHECK(errorCode([] { buildValue(matchEndpoint("GET", "/cookie/a"), "[]"); }) == "no such cookie");
}

TEST_CASE("firefox: an element rect is only x, y, width and height") {
  CHECK(
      buildValue(
          matchEndpoint("GET", "/element/E/rect"),
          R"({"x":8,"y":8,"width":47.75,"height":23,"top":8,"right":55.75,"bottom":31,"left":8})") ==
      R"({"x":8,"y":8,"width":47.75,"height":23})");
  CHECK(buildValue(matchEndpoint("GET", "/window/rect"), R"({"x":0,"y":0,"width":1,"height":2})") ==
        R"({"x":0,"y":0,"width":1,"height":2})");
}
