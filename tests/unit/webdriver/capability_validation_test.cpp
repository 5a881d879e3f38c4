// Table-driven tests of New Session capability processing (WebDriver §7.2): every rule, valid
// and invalid values, each placed in alwaysMatch and in a firstMatch entry.
#include "webdriver/capabilities.h"

#include "json/json.h"
#include <doctest/doctest.h>
#include <string>
#include <vector>

using namespace wdh;

namespace {

// One capability value and whether processing must accept it.
struct Case {
  const char* key;
  const char* value; // JSON
  bool valid;
};

const std::vector<Case> kCases = {
    // Booleans.
    {"acceptInsecureCerts", "true", true},
    {"acceptInsecureCerts", "false", true},
    {"acceptInsecureCerts", "\"true\"", false},
    {"acceptInsecureCerts", "1", false},
    {"setWindowRect", "true", true},
    {"setWindowRect", "{}", false},
    {"strictFileInteractability", "false", true},
    {"strictFileInteractability", "0", false},
    {"webSocketUrl", "true", true},
    {"webSocketUrl", "\"ws\"", false},
    // Strings.
    {"browserName", "\"chrome\"", true},
    {"browserName", "1", false},
    {"browserName", "[]", false},
    {"browserVersion", "\"156\"", true},
    {"browserVersion", "156", false},
    {"platformName", "\"linux\"", true},
    {"platformName", "true", false},
    // pageLoadStrategy.
    {"pageLoadStrategy", "\"none\"", true},
    {"pageLoadStrategy", "\"eager\"", true},
    {"pageLoadStrategy", "\"normal\"", true},
    {"pageLoadStrategy", "\"fast\"", false},
    {"pageLoadStrategy", "\"Normal\"", false},
    {"pageLoadStrategy", "1", false},
    // proxy.
    {"proxy", R"({"proxyType":"direct"})", true},
    {"proxy", R"({"proxyType":"system"})", true},
    {"proxy", R"({"proxyType":"autodetect"})", true},
    {"proxy", R"({"proxyType":"pac","proxyAutoconfigUrl":"http://x/p.pac"})", true},
    {"proxy", R"({"proxyType":"manual","httpProxy":"proxy.example:8080"})", true},
    {"proxy", R"({"proxyType":"manual","sslProxy":"[::1]:3128","noProxy":["a","b"]})", true},
    {"proxy", R"({"proxyType":"manual","socksProxy":"s:1080","socksVersion":5})", true},
    {"proxy", R"({"proxyType":"manual","httpProxy":"host"})", true},
    {"proxy", "{}", false},
    {"proxy", "\"direct\"", false},
    {"proxy", R"({"proxyType":"DIRECT"})", false},
    {"proxy", R"({"proxyType":"pac"})", false},
    {"proxy", R"({"proxyType":"manual","httpProxy":"http://host:1"})", false},
    {"proxy", R"({"proxyType":"manual","httpProxy":"host:1/path"})", false},
    {"proxy", R"({"proxyType":"manual","httpProxy":"host:99999"})", false},
    {"proxy", R"({"proxyType":"manual","httpProxy":"host:"})", false},
    {"proxy", R"({"proxyType":"manual","socksProxy":"s:1080"})", false},
    {"proxy", R"({"proxyType":"manual","socksProxy":"s:1080","socksVersion":256})", false},
    {"proxy", R"({"proxyType":"manual","socksProxy":"s:1080","socksVersion":-1})", false},
    {"proxy", R"({"proxyType":"manual","noProxy":"a"})", false},
    {"proxy", R"({"proxyType":"manual","noProxy":[1]})", false},
    {"proxy", R"({"proxyType":"direct","ftpProxy":"x:1"})", false},
    // timeouts.
    {"timeouts", R"({"script":1,"pageLoad":2,"implicit":3})", true},
    {"timeouts", R"({"script":null})", true},
    {"timeouts", R"({"implicit":9007199254740991})", true},
    {"timeouts", R"({})", true},
    {"timeouts", R"({"implicit":9007199254740992})", false},
    {"timeouts", R"({"implicit":-1})", false},
    {"timeouts", R"({"implicit":1.5})", false},
    {"timeouts", R"({"implicit":"1"})", false},
    {"timeouts", R"({"pageLoad":null})", false},
    {"timeouts", R"({"implicit":null})", false},
    {"timeouts", R"({"page load":1})", false},
    {"timeouts", "[]", false},
    // unhandledPromptBehavior.
    {"unhandledPromptBehavior", "\"dismiss\"", true},
    {"unhandledPromptBehavior", "\"accept\"", true},
    {"unhandledPromptBehavior", "\"dismiss and notify\"", true},
    {"unhandledPromptBehavior", "\"accept and notify\"", true},
    {"unhandledPromptBehavior", "\"ignore\"", true},
    {"unhandledPromptBehavior", R"({"alert":"accept","beforeUnload":"dismiss","default":"ignore"})",
     true},
    {"unhandledPromptBehavior", R"({"confirm":"accept","file":"dismiss","prompt":"ignore"})", true},
    {"unhandledPromptBehavior", "\"Accept\"", false},
    {"unhandledPromptBehavior", "\"close\"", false},
    {"unhandledPromptBehavior", "1", false},
    {"unhandledPromptBehavior", R"({"popup":"accept"})", false},
    {"unhandledPromptBehavior", R"({"alert":"yes"})", false},
    // Extensions and unknown names.
    {"goog:chromeOptions", R"({"args":[]})", true},
    {"moz:anything", "42", true},
    {"custom:thing", "null", true},
    {"chromeOptions", "{}", false},
    {"version", "\"1\"", false},
    {"platform", "\"LINUX\"", false},
    {"javascriptEnabled", "true", false},
    {"wdhost:unknown", "1", false},
    // A null value drops the key, whatever the key.
    {"pageLoadStrategy", "null", true},
    {"proxy", "null", true},
};

Status process(const std::string& body, std::vector<rapidjson::Document>* sets) {
  rapidjson::Document doc;
  Status status = parseJsonObject(body, &doc);
  REQUIRE_MESSAGE(status.isOk(), body);
  return mergeCapabilities(doc, sets);
}

} // namespace

TEST_CASE("capability processing: each value in alwaysMatch and in firstMatch") {
  for (const Case& c : kCases) {
    std::string member = std::string("{\"") + c.key + "\":" + c.value + "}";
    for (const std::string& body : {R"({"capabilities":{"alwaysMatch":)" + member + "}}",
                                    R"({"capabilities":{"firstMatch":[{},)" + member + "]}}"}) {
      std::vector<rapidjson::Document> sets;
      Status status = process(body, &sets);
      CAPTURE(body);
      if (c.valid) {
        CHECK_MESSAGE(status.isOk(), status.message());
      } else {
        CHECK(status.code() == ErrorCode::InvalidArgument);
        CHECK_MESSAGE(status.message().find(c.key) != std::string::npos, status.message());
      }
    }
  }
}

TEST_CASE("capability processing: structure of capabilities, alwaysMatch and firstMatch") {
  const std::vector<std::pair<const char*, bool>> bodies = {
      {R"({"capabilities":{}})", true},
      {R"({"capabilities":{},"desiredCapabilities":{"browserName":"x"}})", true},
      {R"({"capabilities":{"alwaysMatch":{}},"other":1})", true},
      {R"({"capabilities":{"firstMatch":[{}]}})", true},
      {R"({"desiredCapabilities":{}})", false},
      {R"({"capabilities":null})", false},
      {R"({"capabilities":1})", false},
      {R"({"capabilities":"{}"})", false},
      {R"({"capabilities":[]})", false},
      {R"({"capabilities":{"alwaysMatch":null}})", false},
      {R"({"capabilities":{"alwaysMatch":1}})", false},
      {R"({"capabilities":{"alwaysMatch":[]}})", false},
      {R"({"capabilities":{"firstMatch":null}})", false},
      {R"({"capabilities":{"firstMatch":[]}})", false},
      {R"({"capabilities":{"firstMatch":{}}})", false},
      {R"({"capabilities":{"firstMatch":[null]}})", false},
      {R"({"capabilities":{"firstMatch":[{},1]}})", false},
      {R"({"capabilities":{"alwaysMatch":{"browserName":"a"},"firstMatch":[{"browserName":"a"}]}})",
       false},
      {R"({"capabilities":{"alwaysMatch":{"browserName":"a"},"firstMatch":[{"browserName":null}]}})",
       false},
  };
  for (const auto& [body, valid] : bodies) {
    std::vector<rapidjson::Document> sets;
    Status status = process(body, &sets);
    CAPTURE(body);
    CHECK(status.isOk() == valid);
    if (!valid)
      CHECK(status.code() == ErrorCode::InvalidArgument);
  }
}

TEST_CASE("capability processing: the first invalid firstMatch entry is named") {
  std::vector<rapidjson::Document> sets;
  Status status = process(
      R"({"capabilities":{"firstMatch":[{"browserName":"a"},{"pageLoadStrategy":"x"}]}})", &sets);
  CHECK(status.code() == ErrorCode::InvalidArgument);
  CHECK(status.message().find("firstMatch[1].pageLoadStrategy") != std::string::npos);
}

TEST_CASE("returned capabilities: every standard one is present and typed") {
  rapidjson::Document doc;
  REQUIRE(parseJsonObject(R"({"browserName":"chrome","wdhost:x":1,"timeouts":{"implicit":5},
      "goog:chromeOptions":{}})",
                          &doc)
              .isOk());
  rapidjson::Document requested;
  REQUIRE(parseJsonObject(R"({"pageLoadStrategy":"eager","timeouts":{"script":null}})", &requested)
              .isOk());
  completeReturnedCapabilities(&doc, doc.GetAllocator(), requested,
                               ServedBrowser{"chrome", "156.0.1", "linux"});
  CHECK_FALSE(doc.HasMember("wdhost:x"));
  CHECK(doc.HasMember("goog:chromeOptions"));
  CHECK(std::string(doc["browserVersion"].GetString()) == "156.0.1");
  CHECK(std::string(doc["platformName"].GetString()) == "linux");
  CHECK(std::string(doc["pageLoadStrategy"].GetString()) == "eager");
  CHECK(doc["acceptInsecureCerts"].IsBool());
  CHECK(doc["setWindowRect"].IsBool());
  CHECK(doc["strictFileInteractability"].IsBool());
  CHECK(doc["proxy"].IsObject());
  CHECK(doc["userAgent"].IsString());
  CHECK(std::string(doc["unhandledPromptBehavior"].GetString()) == "dismiss and notify");
  CHECK(toJson(doc["timeouts"]) == R"({"implicit":5,"pageLoad":300000,"script":null})");
}
