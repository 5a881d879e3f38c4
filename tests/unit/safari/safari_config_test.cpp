#include "safari_config.h"

#include <doctest/doctest.h>
#include <wdhost/plugin.hpp>

using namespace wdhost::safari;

TEST_CASE("safari: config defaults, known keys and string flags") {
  SafariConfig defaults = parseSafariConfig("");
  CHECK(defaults.headless);
  CHECK(defaults.display == "auto");
  CHECK(defaults.driver.empty());

  SafariConfig config = parseSafariConfig(
      R"({"headless":true,"driver":"/usr/bin/WebKitWebDriver","binary":"/opt/MiniBrowser",)"
      R"("headless":"false","display":":7","startupTimeoutMs":"5000"})");
  CHECK(config.driver == "/usr/bin/WebKitWebDriver");
  CHECK(config.binary == "/opt/MiniBrowser");
  CHECK_FALSE(config.headless); // the later (user's) value wins over the host's default
  CHECK(config.display == ":7");
  CHECK(config.startupTimeoutMs == 5000);
  for (const char* display : {"auto", "wpe", "xvfb", ":0", ":12.0"})
    CHECK(parseSafariConfig(std::string(R"({"display":")") + display + "\"}").display == display);
}

TEST_CASE("safari: config refuses unknown keys and bad values with invalid argument") {
  for (const char* json :
       {R"({"color":"blue"})", R"({"headless":"maybe"})", R"({"display":"wayland"})",
        R"({"display":":"})", R"({"display":":1."})", R"({"driver":3})",
        R"({"startupTimeoutMs":"soon"})", R"([1])", R"({bad json)"}) {
    try {
      parseSafariConfig(json);
      FAIL("accepted " << json);
    } catch (const wdhost::Error& e) {
      CHECK_MESSAGE(e.code() == "invalid argument", json);
    }
  }
  try {
    parseSafariConfig(R"({"color":"blue"})");
  } catch (const wdhost::Error& e) {
    CHECK(std::string(e.what()).find("known: driver, binary, headless, display") !=
          std::string::npos);
  }
}
