#include "chrome_config.h"
#include "chrome_options.h"

#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <wdhost/plugin.hpp>

using namespace wdhost::chrome;

namespace {

ChromeInstall install() {
  ChromeInstall i;
  i.browserPath = "/usr/lib/chromium/chromium";
  i.driverPath = "/usr/bin/chromedriver";
  i.browserVersion = "156.0.8078.79";
  return i;
}

rapidjson::Document bodyFor(const char* caps, bool headless = true, bool root = true) {
  ChromeConfig config;
  config.headless = headless;
  std::string body = driverNewSessionBody(caps, install(), config, "/tmp/p", root);
  rapidjson::Document doc;
  doc.Parse(body.c_str());
  REQUIRE(!doc.HasParseError());
  return doc;
}

bool hasArg(const rapidjson::Document& doc, const char* arg) {
  const auto& args = doc["capabilities"]["alwaysMatch"]["goog:chromeOptions"]["args"];
  for (const auto& a : args.GetArray())
    if (std::string(a.GetString()) == arg)
      return true;
  return false;
}

} // namespace

TEST_CASE("chrome options: completed with binary, headless flags and a private profile") {
  auto doc = bodyFor(R"({"browserName":"chrome","browserVersion":"156"})");
  const auto& caps = doc["capabilities"]["alwaysMatch"];
  CHECK(std::string(caps["goog:chromeOptions"]["binary"].GetString()) ==
        "/usr/lib/chromium/chromium");
  CHECK_FALSE(caps.HasMember("browserVersion"));
  CHECK(hasArg(doc, "--headless=new"));
  CHECK(hasArg(doc, "--no-sandbox"));
  CHECK(hasArg(doc, "--disable-background-networking"));
  CHECK(hasArg(doc, "--user-data-dir=/tmp/p"));
}

TEST_CASE("chrome options: the user's own choices win") {
  auto doc = bodyFor(R"({"goog:chromeOptions":{"binary":"/opt/x/chrome",
      "args":["--headless=old","--user-data-dir=/mine"]}})");
  const auto& options = doc["capabilities"]["alwaysMatch"]["goog:chromeOptions"];
  CHECK(std::string(options["binary"].GetString()) == "/opt/x/chrome");
  CHECK_FALSE(hasArg(doc, "--headless=new"));
  CHECK(hasArg(doc, "--headless=old"));
  CHECK_FALSE(hasArg(doc, "--user-data-dir=/tmp/p"));
}

TEST_CASE("chrome options: windows shown and not root means no headless, no --no-sandbox") {
  auto doc = bodyFor("{}", false, false);
  CHECK_FALSE(hasArg(doc, "--headless=new"));
  CHECK_FALSE(hasArg(doc, "--no-sandbox"));
}

TEST_CASE("chrome options: malformed goog:chromeOptions is invalid argument") {
  rapidjson::Document caps;
  caps.Parse(R"({"goog:chromeOptions":{"args":"--headless"}})");
  try {
    validateChromeOptions(caps);
    FAIL("expected an error");
  } catch (const wdhost::Error& e) {
    CHECK(e.code() == "invalid argument");
  }
}

TEST_CASE("chrome config: unknown keys and bad values are refused") {
  CHECK(parseChromeConfig(R"({"headless":false})").headless == false);
  CHECK(parseChromeConfig(R"({"headless":"true","driver":"/x"})").driver == "/x");
  CHECK_THROWS_AS(parseChromeConfig(R"({"colour":"red"})"), wdhost::Error);
  CHECK_THROWS_AS(parseChromeConfig(R"({"headless":"maybe"})"), wdhost::Error);
}

TEST_CASE("chrome options: the user-agent key changes exactly with what changes the agent") {
  auto keyFor = [](const char* caps, bool headless = true) {
    ChromeConfig config;
    config.headless = headless;
    std::string key;
    driverNewSessionBody(caps, install(), config, "/tmp/p", true, &key);
    return key;
  };
  std::string plain = keyFor(R"({"browserName":"chrome"})");
  CHECK(plain.find("/usr/lib/chromium/chromium") == 0);
  CHECK(plain.find("--headless=new") != std::string::npos);
  // A different profile, window size or language keeps the agent.
  CHECK(keyFor(R"({"goog:chromeOptions":{"args":["--lang=de","--window-size=800,600"]}})") ==
        plain);
  // A headful browser, a user agent of its own, or an emulated device does not.
  CHECK(keyFor(R"({"browserName":"chrome"})", false) != plain);
  std::string own = keyFor(R"({"goog:chromeOptions":{"args":["--user-agent=Bot/1"]}})");
  CHECK(own.find("--user-agent=Bot/1") != std::string::npos);
  std::string phone = keyFor(R"({"goog:chromeOptions":{"mobileEmulation":{"deviceName":"P"}}})");
  CHECK(phone.find("mobileEmulation={\"deviceName\":\"P\"}") != std::string::npos);
  CHECK(keyFor(R"({"goog:chromeOptions":{"binary":"/opt/chrome"}})").find("/opt/chrome") == 0);
}

TEST_CASE("chrome options: the host's download directory becomes prefs, never a capability") {
  auto doc = bodyFor(R"({"browserName":"chrome","wdhost:downloadDir":"/tmp/dl",)"
                     R"("goog:chromeOptions":{"prefs":{"download.default_directory":"/x",)"
                     R"("intl.accept_languages":"de"}}})");
  const auto& caps = doc["capabilities"]["alwaysMatch"];
  CHECK_FALSE(caps.HasMember("wdhost:downloadDir"));
  const auto& prefs = caps["goog:chromeOptions"]["prefs"];
  CHECK(std::string(prefs["download.default_directory"].GetString()) == "/tmp/dl");
  CHECK(std::string(prefs["savefile.default_directory"].GetString()) == "/tmp/dl");
  CHECK_FALSE(prefs["download.prompt_for_download"].GetBool());
  CHECK(std::string(prefs["intl.accept_languages"].GetString()) == "de");
  // Without the capability, no download prefs are added.
  auto plain = bodyFor(R"({"browserName":"chrome"})");
  CHECK_FALSE(plain["capabilities"]["alwaysMatch"]["goog:chromeOptions"].HasMember("prefs"));
}
