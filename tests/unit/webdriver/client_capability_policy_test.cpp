// The client capability policy: what a plugin declares as guarded in describe() is refused in a
// client's New Session (invalid argument, naming the capability and --allow-client-binaries)
// and accepted once the operator allows it; chrome's declaration; a third-party declaration;
// and the session service applying it to clients but not to capabilities the host made itself.
#include "chrome_options.h"
#include "plugin/plugin_registry.h"
#include "session/session_map.h"
#include "webdriver/client_capability_policy.h"
#include "webdriver/session_service.h"

#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <string>

using namespace wdh;

namespace {

Status checkWith(const wdhost::GuardedCapabilities& rules, const std::string& caps,
                 bool allowed = false) {
  rapidjson::Document doc;
  doc.Parse(caps.c_str());
  REQUIRE(doc.IsObject());
  return ClientCapabilityPolicy({rules}, allowed).check(doc);
}

Status chrome(const std::string& options, bool allowed = false) {
  return checkWith(wdhost::chrome::guardedChromeCapabilities(),
                   R"({"browserName":"chrome","goog:chromeOptions":)" + options + "}", allowed);
}

Status chromeArg(const std::string& arg, bool allowed = false) {
  return chrome(R"({"args":["--headless=new",)" + arg + "]}", allowed);
}

bool refusedNaming(const Status& status, const std::string& what) {
  return status.code() == ErrorCode::InvalidArgument &&
         status.message().find(what) != std::string::npos &&
         status.message().find("--allow-client-binaries") != std::string::npos;
}

} // namespace

TEST_CASE("client capability policy: globs match any run of characters") {
  CHECK(globMatches("--*-cmd-prefix", "--renderer-cmd-prefix"));
  CHECK(globMatches("a*", "a"));
  CHECK(globMatches("*", ""));
  CHECK(globMatches("a*b*c", "axxbyyc"));
  CHECK_FALSE(globMatches("a*b*c", "axxbyy"));
  CHECK_FALSE(globMatches("--user-data-dir", "--user-data-dirs"));
  CHECK(globMatches("-P", "-p", true));
  CHECK_FALSE(globMatches("-P", "-p"));
}

TEST_CASE("client capability policy: chrome's guarded members are refused unless allowed") {
  for (const char* member : {R"({"binary":"/bin/sh"})", R"({"debuggerAddress":"127.0.0.1:9222"})",
                             R"({"minidumpPath":"/tmp/x"})", R"({"androidPackage":"com.x"})"}) {
    CAPTURE(member);
    Status status = chrome(member);
    CHECK(status.code() == ErrorCode::InvalidArgument);
    CHECK(httpStatusFor(status.code()) == 400);
    CHECK(status.message().find("--allow-client-binaries") != std::string::npos);
    CHECK(chrome(member, true).isOk());
  }
  CHECK(refusedNaming(chrome(R"({"binary":"/bin/sh"})"), "goog:chromeOptions.binary"));
  // Download directories, flat or nested as chromedriver accepts prefs.
  CHECK(refusedNaming(chrome(R"({"prefs":{"download.default_directory":"/etc"}})"),
                      "goog:chromeOptions.prefs.download.default_directory"));
  CHECK(refusedNaming(chrome(R"({"prefs":{"download":{"default_directory":"/etc"}}})"),
                      "goog:chromeOptions.prefs.download.default_directory"));
  CHECK(refusedNaming(chrome(R"({"prefs":{"savefile.default_directory":"/etc"}})"),
                      "savefile.default_directory"));
  // Harmless options, and empty values, pass.
  CHECK(chrome(R"({"prefs":{"download.prompt_for_download":false,"intl.accept_languages":"de"}})")
            .isOk());
  CHECK(
      chrome(R"({"binary":"","mobileEmulation":{"deviceName":"Pixel 7"},"extensions":[]})").isOk());
  CHECK(
      checkWith(wdhost::chrome::guardedChromeCapabilities(), R"({"browserName":"chrome"})").isOk());
}

TEST_CASE("client capability policy: chrome switches that run programs or name paths") {
  for (const char* arg :
       {R"("--renderer-cmd-prefix=/bin/sh")", R"("--utility-cmd-prefix=/bin/sh")",
        R"("--gpu-launcher=/bin/sh")", R"("--browser-subprocess-path=/bin/sh")",
        R"("--user-data-dir=/home/x")", R"("--remote-debugging-port=9222")",
        R"("--remote-debugging-pipe")", R"("--remote-debugging-address=0.0.0.0")",
        R"("--load-extension=/x")", R"("--js-flags=--logfile=/tmp/v8")", R"("--log-net-log=/x")",
        R"("--enable-logging", "--log-file=/tmp/x")", R"("--disk-cache-dir=/x")",
        R"("--ssl-key-log-file=/x")", R"("--print-to-pdf=/x.pdf")", R"("--profile-directory=x")",
        // "--x v", chromedriver's bare "x=v", blanks and the single-dash form.
        R"("--renderer-cmd-prefix", "/bin/sh")", R"("renderer-cmd-prefix=/bin/sh")",
        R"(" --renderer-cmd-prefix=/bin/sh")", R"("--renderer-cmd-prefix /bin/sh")",
        R"("-renderer-cmd-prefix=/bin/sh")"}) {
    CAPTURE(arg);
    Status status = chromeArg(arg);
    CHECK(refusedNaming(status, "goog:chromeOptions.args \""));
    CHECK(chromeArg(arg, true).isOk());
  }
  CHECK(refusedNaming(chromeArg(R"("--renderer-cmd-prefix=/bin/sh")"),
                      R"(goog:chromeOptions.args "--renderer-cmd-prefix=/bin/sh")"));
  // What clients send every day passes; Chrome's switch names are case-sensitive.
  for (const char* arg :
       {R"("--no-sandbox")", R"("--disable-gpu")", R"("--window-size=1280,800")",
        R"("--lang=de-DE")", R"("--user-agent=x --user-data-dir=/y")", R"("--enable-logging")",
        R"("--proxy-server=http://127.0.0.1:3128")", R"("--Renderer-Cmd-Prefix=/bin/sh")",
        R"("--disable-dev-shm-usage")", R"("--headless")", R"("--")"}) {
    CAPTURE(arg);
    CHECK(chromeArg(arg).isOk());
  }
}

TEST_CASE("client capability policy: switch forms and rules") {
  wdhost::GuardedSwitches firefox{"o.args", {"-profile", "-P", "--remote-*"}, true, ""};
  CHECK(isGuardedSwitch("-profile", firefox));
  CHECK(isGuardedSwitch("--profile=/x", firefox));
  CHECK(isGuardedSwitch("-PROFILE", firefox));
  CHECK(isGuardedSwitch("-p", firefox));
  CHECK(isGuardedSwitch("--remote-debugging-port", firefox));
  CHECK_FALSE(isGuardedSwitch("-private", firefox));
  CHECK_FALSE(isGuardedSwitch("-headless", firefox));
  CHECK_FALSE(isGuardedSwitch("", firefox));
  CHECK_FALSE(isGuardedSwitch("-", firefox));
  // A huge argument costs nothing and is no switch a browser knows.
  wdhost::GuardedSwitches globs{"o.args", {"--*-*-*-dir"}, false, ""};
  CHECK(isGuardedSwitch("--a-b-c-dir", globs));
  CHECK_FALSE(isGuardedSwitch("--" + std::string(8 << 20, 'a') + "-b-c-dir", globs));
  wdhost::GuardedSwitches glib{"o.args", {"--config"}, false, "cC"};
  CHECK(isGuardedSwitch("-c", glib));
  CHECK(isGuardedSwitch("-pc", glib));
  CHECK(isGuardedSwitch("--config=/x", glib));
  CHECK_FALSE(isGuardedSwitch("--cookies-policy=never", glib));
  CHECK_FALSE(isGuardedSwitch("-p", glib));
}

TEST_CASE("client capability policy: a third-party plugin's declaration protects it the same") {
  std::string json =
      R"({"browserName":"acme","platformName":"linux","browsers":[],)"
      R"("guardedCapabilities":{"members":["acme:options.launcher","acme:options.paths.*"],)"
      R"("switches":{"acme:options.flags":["--plugin-*"],)"
      R"("acme:options.gflags":{"names":["--config"],"shortOptions":"C","ignoreCase":true}}}})";
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  wdhost::Description description;
  std::string error;
  REQUIRE(wdh::readDescription(doc, &description, &error));
  REQUIRE(description.guarded.switches.size() == 2);
  // toJson() writes what the host reads back.
  rapidjson::Document again;
  std::string written = description.toJson();
  again.Parse(written.c_str());
  wdhost::Description reread;
  REQUIRE(wdh::readDescription(again, &reread, &error));
  CHECK(reread.guarded.members == description.guarded.members);
  CHECK(reread.guarded.switches[1].shortOptions == "C");
  CHECK(reread.guarded.switches[1].ignoreCase);

  auto check = [&](const std::string& options, bool allowed = false) {
    return checkWith(reread.guarded, R"({"acme:options":)" + options + "}", allowed);
  };
  CHECK(refusedNaming(check(R"({"launcher":"/bin/sh"})"), "acme:options.launcher"));
  CHECK(refusedNaming(check(R"({"paths":{"cache":"/x"}})"), "acme:options.paths.cache"));
  CHECK(refusedNaming(check(R"({"flags":["--plugin-dir=/x"]})"), "acme:options.flags"));
  CHECK(refusedNaming(check(R"({"gflags":["-vC", "/x"]})"), "\"-vC\""));
  CHECK(refusedNaming(check(R"({"gflags":["--CONFIG", "/x"]})"), "\"--CONFIG\""));
  CHECK(check(R"({"launcher":"/bin/sh","flags":["--plugin-dir=/x"]})", true).isOk());
  CHECK(check(R"({"flags":["--verbose"],"gflags":["-v"],"paths":{}})").isOk());

  // A malformed declaration fails the plugin's load instead of leaving it unprotected.
  for (const char* bad : {R"({"members":"x"})", R"({"switches":{"a.args":"--x"}})",
                          R"({"switches":{"a.args":{"names":[1]}}})", R"([])"}) {
    CAPTURE(bad);
    rapidjson::Document broken;
    broken.Parse(
        (R"({"browserName":"acme","guardedCapabilities":)" + std::string(bad) + "}").c_str());
    CHECK_FALSE(wdh::readDescription(broken, &description, &error));
    CHECK(error.find("guardedCapabilities") != std::string::npos);
  }
}

TEST_CASE("client capability policy: the session service refuses clients, not the host's own") {
  PluginRegistry registry;
  PluginSelection selection;
  selection.dirs = {WDHOST_FIXTURE_DIR};
  selection.only = {"fake"};
  REQUIRE(registry.load(selection, HostServices{}).isOk());
  SessionMap sessions;
  SessionService service{registry, sessions, HostServices{}, SessionSettings{}};
  const std::string body =
      R"({"capabilities":{"alwaysMatch":{"browserName":"fake"},"firstMatch":[{},)"
      R"({"goog:chromeOptions":{"args":["--renderer-cmd-prefix=/bin/sh"]}}]}})";
  std::string response, id;
  NewSessionRequest client;
  Status status = service.starter().newSession(body, client, &response, &id);
  CHECK(refusedNaming(status, R"(goog:chromeOptions.args "--renderer-cmd-prefix=/bin/sh")"));
  CHECK(service.lifecycle().list().empty());

  NewSessionRequest hostMade;
  hostMade.hostMadeCapabilities = true;
  REQUIRE(service.starter().newSession(body, hostMade, &response, &id).isOk());
  CHECK(service.lifecycle().deleteSession(id).isOk());
}
