// The firefox plugin's settings, moz:firefoxOptions, the automation profile and the
// geckodriver command line and New Session body.
#include "firefox_config.h"
#include "firefox_discovery.h"
#include "firefox_options.h"
#include "firefox_profile.h"
#include "geckodriver_launch.h"
#include "webdriver/client_capability_policy.h"

#include <algorithm>
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <wdhost/plugin.hpp>

using namespace wdhost::firefox;

namespace {

std::string codeOf(const std::string& capabilities) {
  rapidjson::Document caps;
  caps.Parse(capabilities.c_str());
  REQUIRE(caps.IsObject());
  try {
    validateFirefoxOptions(caps);
  } catch (const wdhost::Error& e) {
    return e.code();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("firefox: config keys, values and unknown keys") {
  FirefoxConfig config = parseFirefoxConfig(
      R"({"headless":false,"binary":"/opt/ff/firefox","driver":"/x/geckodriver","mode":"marionette","startupTimeoutMs":"5000"})");
  CHECK_FALSE(config.headless);
  CHECK(config.binary == "/opt/ff/firefox");
  CHECK(config.driver == "/x/geckodriver");
  CHECK(config.mode == Mode::Marionette);
  CHECK(config.startupTimeoutMs == 5000);
  CHECK(parseFirefoxConfig("").mode == Mode::Auto);
  CHECK(parseFirefoxConfig(R"({"headless":"true"})").headless);
  CHECK(parseFirefoxConfig(R"({"mode":"geckodriver"})").mode == Mode::Geckodriver);
  // display "xvfb": a window on the session's own X server, which the host can record.
  FirefoxConfig onXvfb = parseFirefoxConfig(R"({"display":"xvfb"})");
  CHECK(onXvfb.xvfb);
  CHECK_FALSE(onXvfb.headless);
  CHECK_FALSE(parseFirefoxConfig(R"({"display":"headless"})").xvfb);
  CHECK(parseFirefoxConfig(R"({"display":"headless"})").headless);
  CHECK_THROWS_AS(parseFirefoxConfig(R"({"display":"vnc"})"), wdhost::Error);
  CHECK_THROWS_AS(parseFirefoxConfig(R"({"colour":"blue"})"), wdhost::Error);
  CHECK_THROWS_AS(parseFirefoxConfig(R"({"mode":"bidi"})"), wdhost::Error);
  CHECK_THROWS_AS(parseFirefoxConfig(R"({"headless":"maybe"})"), wdhost::Error);
  CHECK_THROWS_AS(parseFirefoxConfig(R"({"startupTimeoutMs":"soon"})"), wdhost::Error);
  CHECK_THROWS_AS(parseFirefoxConfig("[]"), wdhost::Error);
  try {
    parseFirefoxConfig(R"({"colour":"blue"})");
  } catch (const wdhost::Error& e) {
    CHECK(e.code() == "invalid argument");
    CHECK(contains(e.what(), "colour"));
  }
}

TEST_CASE("firefox: the mode follows the config and whether geckodriver was found") {
  FirefoxConfig config;
  CHECK(chooseMode(config, true) == Mode::Geckodriver);
  CHECK(chooseMode(config, false) == Mode::Marionette);
  config.mode = Mode::Marionette;
  CHECK(chooseMode(config, true) == Mode::Marionette);
  config.mode = Mode::Geckodriver;
  CHECK(chooseMode(config, true) == Mode::Geckodriver);
  CHECK_THROWS_AS(chooseMode(config, false), wdhost::Error);
  CHECK(std::string(modeName(Mode::Marionette)) == "marionette");
}

TEST_CASE("firefox: moz:firefoxOptions is validated") {
  CHECK(codeOf(R"({})") == "");
  CHECK(codeOf(R"({"moz:firefoxOptions":{}})") == "");
  CHECK(
      codeOf(
          R"({"moz:firefoxOptions":{"binary":"/x","args":["-a"],"prefs":{"a":1,"b":"s","c":true},"profile":"UEsDBA==","log":{"level":"trace"},"env":{"A":"1"}}})") ==
      "");
  CHECK(codeOf(R"({"moz:firefoxOptions":[]})") == "invalid argument");
  CHECK(codeOf(R"({"moz:firefoxOptions":{"binary":1}})") == "invalid argument");
  CHECK(codeOf(R"({"moz:firefoxOptions":{"args":"-headless"}})") == "invalid argument");
  CHECK(codeOf(R"({"moz:firefoxOptions":{"args":[1]}})") == "invalid argument");
  CHECK(codeOf(R"({"moz:firefoxOptions":{"prefs":[]}})") == "invalid argument");
  CHECK(codeOf(R"({"moz:firefoxOptions":{"prefs":{"a":{}}}})") == "invalid argument");
  CHECK(codeOf(R"({"moz:firefoxOptions":{"prefs":{"a":1.5}}})") == "invalid argument");
  CHECK(codeOf(R"({"moz:firefoxOptions":{"prefs":{"a":null}}})") == "invalid argument");
  CHECK(codeOf(R"({"moz:firefoxOptions":{"profile":"not base64!"}})") == "invalid argument");
  CHECK(codeOf(R"({"moz:firefoxOptions":{"profile":7}})") == "invalid argument");
  CHECK(codeOf(R"({"moz:firefoxOptions":{"log":"trace"}})") == "invalid argument");
  CHECK(codeOf(R"({"moz:firefoxOptions":{"log":{"level":3}}})") == "invalid argument");
  CHECK(codeOf(R"({"moz:firefoxOptions":{"env":{"A":1}}})") == "invalid argument");
  CHECK(codeOf(R"({"moz:firefoxOptions":{"env":["A=1"]}})") == "invalid argument");
}

TEST_CASE("firefox: moz:firefoxOptions is read into launch settings") {
  rapidjson::Document caps;
  caps.Parse(
      R"({"moz:firefoxOptions":{"binary":"/b","args":["-x","--headless"],"prefs":{"p.int":3,"p.str":"v\"q","p.bool":false},"log":{"level":"debug"},"env":{"A":"1"}}})");
  FirefoxOptions options = readFirefoxOptions(caps);
  CHECK(options.binary == "/b");
  CHECK(options.args == std::vector<std::string>{"-x", "--headless"});
  REQUIRE(options.prefs.size() == 3);
  CHECK(options.prefs[0] == Pref{"p.int", "3"});
  CHECK(options.prefs[1] == Pref{"p.str", R"("v\"q")"});
  CHECK(options.prefs[2] == Pref{"p.bool", "false"});
  CHECK(options.logLevel == "debug");
  CHECK(options.env == std::vector<std::string>{"A=1"});
  CHECK(hasHeadlessArg(options.args));
  CHECK_FALSE(hasHeadlessArg({"-private"}));
}

TEST_CASE("firefox: user.js silences background services and keeps the user's prefs last") {
  std::string js = userJs({{"browser.startup.page", "1"}, {"my.pref", "\"x\""}}, "trace");
  CHECK(contains(js, "user_pref(\"marionette.port\", 0);\n"));
  for (const char* pref :
       {"app.update.disabledForTesting", "toolkit.telemetry.enabled",
        "browser.shell.checkDefaultBrowser", "network.captive-portal-service.enabled",
        "network.connectivity-service.enabled", "browser.safebrowsing.malware.enabled",
        "services.settings.server", "browser.startup.homepage", "browser.aboutwelcome.enabled"})
    CHECK_MESSAGE(contains(js, std::string("user_pref(\"") + pref + "\""), pref);
  CHECK(contains(js, "user_pref(\"browser.shell.checkDefaultBrowser\", false);"));
  CHECK(contains(js, "user_pref(\"marionette.log.level\", \"trace\");"));
  // The user's value comes after the default, so it wins.
  CHECK(js.rfind("user_pref(\"browser.startup.page\", 1);") >
        js.find("user_pref(\"browser.startup.page\", 0);"));
  CHECK(contains(js, "user_pref(\"my.pref\", \"x\");"));
  CHECK(userPrefLine({"a\"b", "true"}) == "user_pref(\"a\\\"b\", true);\n");
  CHECK_FALSE(contains(userJs({}, ""), "marionette.log.level"));
}

TEST_CASE("firefox: Firefox's command line for a Marionette session") {
  std::vector<std::string> argv = firefoxArgv("/usr/bin/firefox-esr", "/t/profile", {}, true);
  CHECK(argv == std::vector<std::string>{"/usr/bin/firefox-esr", "-marionette", "-no-remote",
                                         "-profile", "/t/profile", "-headless"});
  CHECK(firefoxArgv("/f", "/p", {"-private"}, false) ==
        std::vector<std::string>{"/f", "-marionette", "-no-remote", "-profile", "/p", "-private"});
  CHECK(
      firefoxArgv("/f", "/p", {"--headless"}, true) ==
      std::vector<std::string>{"/f", "-marionette", "-no-remote", "-profile", "/p", "--headless"});
  std::vector<std::string> env = firefoxEnv({"A=1"});
  CHECK(env.back() == "A=1");
  CHECK(std::find(env.begin(), env.end(), "MOZ_CRASHREPORTER_DISABLE=1") != env.end());
}

TEST_CASE("firefox: geckodriver's command line") {
  std::vector<std::string> argv =
      geckodriverArgv("/usr/bin/geckodriver", "/usr/bin/firefox-esr", 2828, 9222);
  CHECK(argv == std::vector<std::string>{
                    "/usr/bin/geckodriver", "--port", "{port}", "--binary", "/usr/bin/firefox-esr",
                    "--marionette-port", "2828", "--websocket-port", "9222", "--allow-hosts",
                    "127.0.0.1", "localhost", "--allow-origins", "http://127.0.0.1:{port}"});
}

TEST_CASE("firefox: geckodriver's New Session body completes moz:firefoxOptions") {
  std::string body = geckodriverNewSessionBody(
      R"({"browserName":"firefox","browserVersion":"153","moz:firefoxOptions":{"prefs":{"a":1},"args":["-private"]}})",
      "/usr/bin/firefox-esr", true);
  rapidjson::Document doc;
  doc.Parse(body.c_str());
  REQUIRE(doc.IsObject());
  const rapidjson::Value& always = doc["capabilities"]["alwaysMatch"];
  CHECK(std::string(always["browserName"].GetString()) == "firefox");
  CHECK_FALSE(always.HasMember("browserVersion"));
  const rapidjson::Value& moz = always["moz:firefoxOptions"];
  CHECK(std::string(moz["binary"].GetString()) == "/usr/bin/firefox-esr");
  REQUIRE(moz["args"].Size() == 2);
  CHECK(std::string(moz["args"][0].GetString()) == "-private");
  CHECK(std::string(moz["args"][1].GetString()) == "-headless");
  CHECK(moz["prefs"]["a"].GetInt() == 1);
  CHECK(doc["capabilities"]["firstMatch"].Size() == 1);

  // The user's binary and headless choice are kept; a visible browser gets no -headless.
  std::string own = geckodriverNewSessionBody(
      R"({"moz:firefoxOptions":{"binary":"/opt/ff","args":["-headless"]}})", "/usr/bin/ff", true);
  CHECK(contains(own, R"("binary":"/opt/ff")"));
  CHECK(contains(own, R"("args":["-headless"])"));
  std::string shown = geckodriverNewSessionBody("{}", "/usr/bin/ff", false);
  CHECK(contains(shown, R"("moz:firefoxOptions":{"binary":"/usr/bin/ff","args":[]})"));
  CHECK_THROWS_AS(geckodriverNewSessionBody(R"({"moz:firefoxOptions":{"args":[1]}})", "/f", true),
                  wdhost::Error);
}

TEST_CASE("firefox: the host's download directory becomes prefs, never a capability") {
  const char* caps =
      R"({"browserName":"firefox","wdhost:downloadDir":"/tmp/d \"1\"","moz:firefoxOptions":)"
      R"({"prefs":{"browser.download.dir":"/elsewhere","a":1}}})";
  rapidjson::Document parsed;
  parsed.Parse(caps);
  FirefoxOptions options = readFirefoxOptions(parsed);
  // The host's prefs come after the user's, so they win in user.js.
  REQUIRE(options.prefs.size() == 2 + downloadPrefs("x").size());
  CHECK(options.prefs[0].first == "browser.download.dir");
  CHECK(options.prefs[2] ==
        std::make_pair(std::string("browser.download.dir"), std::string(R"("/tmp/d \"1\"")")));
  CHECK(contains(userJs(options.prefs, ""), R"(user_pref("browser.download.folderList", 2);)"));

  std::string body = geckodriverNewSessionBody(caps, "/usr/bin/firefox-esr", true);
  rapidjson::Document doc;
  doc.Parse(body.c_str());
  const rapidjson::Value& always = doc["capabilities"]["alwaysMatch"];
  CHECK_FALSE(always.HasMember("wdhost:downloadDir"));
  const rapidjson::Value& prefs = always["moz:firefoxOptions"]["prefs"];
  CHECK(std::string(prefs["browser.download.dir"].GetString()) == "/tmp/d \"1\"");
  CHECK(prefs["browser.download.folderList"].GetInt() == 2);
  CHECK(prefs["browser.download.useDownloadDir"].GetBool());
  CHECK(prefs["a"].GetInt() == 1);
}

TEST_CASE("firefox: Marionette's New Session gets webSocketUrl only when it is true") {
  CHECK(marionetteCapabilities(R"({"browserName":"firefox","webSocketUrl":false})") ==
        R"({"browserName":"firefox"})");
  CHECK(marionetteCapabilities(R"({"webSocketUrl":null,"acceptInsecureCerts":true})") ==
        R"({"acceptInsecureCerts":true})");
  CHECK(marionetteCapabilities(R"({"webSocketUrl":true})") == R"({"webSocketUrl":true})");
}

namespace {

// What the host's policy makes of a client's moz:firefoxOptions under firefox's declaration.
wdh::Status guarded(const std::string& options, bool allowed = false) {
  rapidjson::Document caps;
  caps.Parse((R"({"browserName":"firefox","moz:firefoxOptions":)" + options + "}").c_str());
  REQUIRE(caps.IsObject());
  return wdh::ClientCapabilityPolicy({guardedFirefoxCapabilities()}, allowed).check(caps);
}

bool refused(const std::string& options, const std::string& named) {
  wdh::Status status = guarded(options);
  return status.code() == wdh::ErrorCode::InvalidArgument &&
         status.message().find(named) != std::string::npos &&
         status.message().find("--allow-client-binaries") != std::string::npos &&
         guarded(options, true).isOk();
}

} // namespace

TEST_CASE("firefox options: the host refuses what reaches its programs and files") {
  CHECK(refused(R"({"binary":"/bin/sh"})", "moz:firefoxOptions.binary"));
  CHECK(refused(R"({"env":{"LD_PRELOAD":"/tmp/x.so"}})", "moz:firefoxOptions.env"));
  CHECK(refused(R"({"profile":"UEsDBA=="})", "moz:firefoxOptions.profile"));
  CHECK(refused(R"({"androidPackage":"org.mozilla.firefox"})", "androidPackage"));
  CHECK(refused(R"({"prefs":{"browser.download.dir":"/etc"}})", "prefs.browser.download.dir"));
  CHECK(refused(R"({"prefs":{"network.protocol-handler.app.mailto":"/bin/sh"}})",
                "network.protocol-handler.app.mailto"));
  CHECK(refused(R"({"prefs":{"security.sandbox.content.read_path_whitelist":"/"}})",
                "security.sandbox"));
  // Every form Firefox takes: one or two dashes, "=value" or the next argument, any case.
  for (const char* args :
       {R"(["-profile", "/home/x/.mozilla"])", R"(["--profile=/x"])", R"(["-PROFILE", "/x"])",
        R"(["-P", "default"])", R"(["-p"])", R"(["--remote-debugging-port", "9222"])",
        R"(["-remote-allow-hosts=evil"])", R"(["-marionette"])", R"(["-screenshot", "/x.png"])",
        R"(["-CreateProfile", "x /tmp/x"])", R"(["--MOZ_LOG_FILE=/tmp/log"])",
        R"(["-start-debugger-server", "6000"])"}) {
    CAPTURE(args);
    CHECK(refused(std::string(R"({"args":)") + args + "}", "moz:firefoxOptions.args \""));
  }
  // What clients send every day passes.
  CHECK(guarded(R"({"args":["-headless","-width","1280","-private","--kiosk","-safe-mode"],)"
                R"("prefs":{"intl.accept_languages":"de","browser.download.folderList":2},)"
                R"("log":{"level":"trace"}})")
            .isOk());
}
