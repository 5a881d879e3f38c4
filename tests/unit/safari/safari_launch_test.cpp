#include "safari_launch.h"
#include "safari_slot.h"

#include <algorithm>
#include <doctest/doctest.h>
#include <memory>
#include <wdhost/plugin.hpp>

using namespace wdhost::safari;

namespace {

bool has(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

} // namespace

TEST_CASE("safari: driver argv: a {port} for DriverSession, loopback only") {
  CHECK(webkitDriverArgv("/usr/bin/WebKitWebDriver") ==
        std::vector<std::string>{"/usr/bin/WebKitWebDriver", "--port={port}", "--host=127.0.0.1"});
  CHECK(safaridriverArgv("/usr/bin/safaridriver") ==
        std::vector<std::string>{"/usr/bin/safaridriver", "-p", "{port}"});
  std::vector<std::string> xvfb = xvfbArgv("/usr/bin/Xvfb");
  CHECK(xvfb.at(0) == "/usr/bin/Xvfb");
  auto displayfd = std::find(xvfb.begin(), xvfb.end(), "-displayfd");
  REQUIRE(displayfd != xvfb.end());
  CHECK(*(displayfd + 1) == "1"); // the number comes on stdout, which the host captures
  CHECK(has(xvfb, "tcp"));
}

TEST_CASE("safari: driver env: the display, and everything written under the work dir") {
  std::vector<std::string> env = webkitDriverEnv(":5", "/w");
  CHECK(has(env, "DISPLAY=:5"));
  CHECK(has(env, "GDK_BACKEND=x11"));
  CHECK(has(env, "XDG_CACHE_HOME=/w/cache"));
  CHECK(has(env, "XDG_CONFIG_HOME=/w/config"));
  CHECK(has(env, "XDG_DATA_HOME=/w/data"));
  CHECK(has(env, "TMPDIR=/w/tmp"));
  std::vector<std::string> headless = webkitDriverEnv("", "/w");
  CHECK(std::none_of(headless.begin(), headless.end(),
                     [](const std::string& e) { return e.rfind("DISPLAY=", 0) == 0; }));
  CHECK(webkitWorkSubdirs("/w").size() == 4);
}

TEST_CASE("safari: Xvfb's display number is read from its -displayfd line") {
  CHECK_FALSE(parseDisplayNumber("").has_value());
  CHECK_FALSE(parseDisplayNumber("4").has_value()); // no newline yet: maybe "42" is coming
  CHECK(parseDisplayNumber("4\n") == 4);
  CHECK(parseDisplayNumber("_XSERVTransmkdir: Owner of /tmp/.X11-unix should be set to root\n"
                           "12\n") == 12);
  CHECK_FALSE(parseDisplayNumber("(EE) Server terminated with error (1).\n").has_value());
}

TEST_CASE("safari: versions from cog and dpkg-query output") {
  CHECK(webkitVersionIn("0.16.1 (WPE WebKit 2.38.6)\n") == "2.38.6");
  CHECK(webkitVersionIn("2.38.6\n") == "2.38.6");
  CHECK(packageIn("libwebkit2gtk-4.1-0:amd64: /usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/"
                  "MiniBrowser\n") == "libwebkit2gtk-4.1-0:amd64");
  CHECK(packageIn("dpkg-query: no path found matching pattern /x\n") == "");
}

TEST_CASE("safari: one Safari session at a time, as Safari allows") {
  auto first = std::make_unique<SafariSlot>();
  try {
    SafariSlot second;
    FAIL("a second Safari session was allowed");
  } catch (const wdhost::Error& e) {
    CHECK(e.code() == "session not created");
    CHECK(std::string(e.what()).find("one WebDriver session at a time") != std::string::npos);
  }
  first.reset();
  SafariSlot again; // free once the first session ended
}
