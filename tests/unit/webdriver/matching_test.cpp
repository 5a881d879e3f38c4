#include "webdriver/matching.h"

#include "json/json.h"
#include <doctest/doctest.h>

using namespace wdh;

namespace {

PluginDescription chromeDescription() {
  PluginDescription d;
  d.browserName = "chrome";
  d.platformName = "linux";
  d.browsers.push_back(InstalledBrowser{"chromium", "156.0.8078.79", "/usr/bin/chromium"});
  return d;
}

bool matches(const char* caps) {
  rapidjson::Document doc;
  REQUIRE(parseJsonObject(caps, &doc).isOk());
  return matchesPlugin(doc, chromeDescription());
}

} // namespace

TEST_CASE("matching: browserName and platformName match exactly") {
  CHECK(matches("{}"));
  CHECK(matches(R"({"browserName":"chrome"})"));
  CHECK_FALSE(matches(R"({"browserName":"firefox"})"));
  CHECK_FALSE(matches(R"({"browserName":"Chrome"})"));
  CHECK(matches(R"({"platformName":"linux"})"));
  CHECK_FALSE(matches(R"({"platformName":"LINUX"})"));
  CHECK_FALSE(matches(R"({"platformName":"windows"})"));
}

TEST_CASE("matching: browserVersion is exact or a whole-component prefix") {
  CHECK(versionMatches("156", "156.0.8078.79"));
  CHECK(versionMatches("156.0", "156.0.8078.79"));
  CHECK(versionMatches("156.0.8078.79", "156.0.8078.79"));
  CHECK_FALSE(versionMatches("15", "156.0.8078.79"));
  CHECK_FALSE(versionMatches("157", "156.0.8078.79"));
  CHECK(matches(R"({"browserVersion":"156"})"));
  CHECK_FALSE(matches(R"({"browserVersion":"115"})"));
}

TEST_CASE("matching: the offer names browsers, versions and platform") {
  CHECK(describeOffer({}) == "no browser plugins");
}

TEST_CASE("matching: browserVersion comparisons, alone and combined") {
  const char* installed = "156.0.8078.79";
  CHECK(versionMatches(">=116", installed));
  CHECK(versionMatches(">=156", installed));
  CHECK(versionMatches(">=156.0.8078.79", installed));
  CHECK_FALSE(versionMatches(">=157", installed));
  CHECK(versionMatches("<157", installed));
  CHECK_FALSE(versionMatches("<156", installed));
  CHECK_FALSE(versionMatches("<118", installed));
  CHECK(versionMatches("<=156.0.8078.79", installed));
  CHECK(versionMatches(">155", installed));
  CHECK(versionMatches(">=116 <157", installed));
  CHECK_FALSE(versionMatches(">=116 <118", installed));
  CHECK(versionMatches("=156", installed));
  CHECK(versionMatches(">=128", "128.5.0esr"));
  CHECK_FALSE(versionMatches(">=abc", installed));
  CHECK(versionMatches("", installed));
}

TEST_CASE("matching: a plugin answers to the aliases it describes") {
  PluginDescription d = chromeDescription();
  d.browserNames = {"chromium"};
  rapidjson::Document doc;
  REQUIRE(parseJsonObject(R"({"browserName":"chromium"})", &doc).isOk());
  CHECK(matchesPlugin(doc, d));
  REQUIRE(parseJsonObject(R"({"browserName":"edge"})", &doc).isOk());
  CHECK_FALSE(matchesPlugin(doc, d));
}
