#include "webdriver/capabilities.h"

#include "json/json.h"
#include <doctest/doctest.h>

using namespace wdh;

namespace {

Status merge(const char* body, std::vector<rapidjson::Document>* sets) {
  rapidjson::Document doc;
  Status status = parseJsonObject(body, &doc);
  REQUIRE(status.isOk());
  return mergeCapabilities(doc, sets);
}

} // namespace

TEST_CASE("capabilities: alwaysMatch merges into each firstMatch entry in order") {
  std::vector<rapidjson::Document> sets;
  REQUIRE(merge(R"({"capabilities":{"alwaysMatch":{"acceptInsecureCerts":true},
                  "firstMatch":[{"browserName":"firefox"},{"browserName":"chrome"}]}})",
                &sets)
              .isOk());
  REQUIRE(sets.size() == 2);
  CHECK(toJson(sets[0]) == R"({"acceptInsecureCerts":true,"browserName":"firefox"})");
  CHECK(toJson(sets[1]) == R"({"acceptInsecureCerts":true,"browserName":"chrome"})");
}

TEST_CASE("capabilities: defaults and null values") {
  std::vector<rapidjson::Document> sets;
  REQUIRE(merge(R"({"capabilities":{}})", &sets).isOk());
  REQUIRE(sets.size() == 1);
  CHECK(toJson(sets[0]) == "{}");
  REQUIRE(merge(R"({"capabilities":{"alwaysMatch":{"browserName":null,"x:y":1}}})", &sets).isOk());
  CHECK(toJson(sets[0]) == R"({"x:y":1})");
}

TEST_CASE("capabilities: structural errors are invalid argument with a useful message") {
  std::vector<rapidjson::Document> sets;
  Status legacy = merge(R"({"desiredCapabilities":{"browserName":"chrome"}})", &sets);
  CHECK(legacy.code() == ErrorCode::InvalidArgument);
  CHECK(legacy.message().find("W3C") != std::string::npos);
  CHECK(merge(R"({})", &sets).code() == ErrorCode::InvalidArgument);
  CHECK(merge(R"({"capabilities":[]})", &sets).code() == ErrorCode::InvalidArgument);
  CHECK(merge(R"({"capabilities":{"alwaysMatch":3}})", &sets).code() == ErrorCode::InvalidArgument);
  CHECK(merge(R"({"capabilities":{"firstMatch":[]}})", &sets).code() == ErrorCode::InvalidArgument);
  CHECK(merge(R"({"capabilities":{"firstMatch":{}}})", &sets).code() == ErrorCode::InvalidArgument);
  CHECK(merge(R"({"capabilities":{"firstMatch":[1]}})", &sets).code() ==
        ErrorCode::InvalidArgument);
  Status dup = merge(R"({"capabilities":{"alwaysMatch":{"browserName":"chrome"},
                       "firstMatch":[{"browserName":"chrome"}]}})",
                     &sets);
  CHECK(dup.code() == ErrorCode::InvalidArgument);
  CHECK(dup.message().find("browserName") != std::string::npos);
}

TEST_CASE("capabilities: the host's own wdhost: capabilities are not forwarded") {
  rapidjson::Document caps;
  REQUIRE(parseJsonObject(R"({"browserName":"chrome","wdhost:sessionTimeout":30})", &caps).isOk());
  rapidjson::Document hostCaps;
  extractHostCapabilities(&caps, &hostCaps);
  CHECK(toJson(caps) == R"({"browserName":"chrome"})");
  CHECK(toJson(hostCaps) == R"({"wdhost:sessionTimeout":30})");
}

TEST_CASE("json: malformed, non-object and invalid UTF-8 bodies are invalid argument") {
  rapidjson::Document doc;
  CHECK(parseJsonObject("{", &doc).code() == ErrorCode::InvalidArgument);
  CHECK(parseJsonObject("[1]", &doc).code() == ErrorCode::InvalidArgument);
  CHECK(parseJsonObject("\"\xff\xfe\"", &doc).code() == ErrorCode::InvalidArgument);
  std::string deep(100000, '[');
  CHECK(parseJsonObject(deep, &doc).code() == ErrorCode::InvalidArgument);
  CHECK(parseJsonObject(R"({"a":"\u00e9"})", &doc).isOk());
}
