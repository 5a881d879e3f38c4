// End to end: the real wdhost binary with the safari plugin drives real WebKit: MiniBrowser
// through WebKitWebDriver on a private Xvfb, and the WPE port (cog) when it is installed.
#include "support/host_process.h"
#include "support/webdriver_client.h"

#include <cstdlib>
#include <doctest/doctest.h>
#include <glob.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <string>
#include <unistd.h>
#include <vector>

using namespace wdhtest;

namespace {

std::string newSession(const HostProcess& host, const std::string& alwaysMatch,
                       rapidjson::Document* caps) {
  return createSession(host, alwaysMatch, caps);
}

const char* kPage = "data:text/html,<title>Hello</title><button id='b' "
                    "onclick=\\\"document.title='clicked'\\\">press</button><input id='i'>";

// Every process a WebKit session runs: the drivers, MiniBrowser, cog, WebKit*/WPE* helpers, Xvfb.
const char* kSessionProcesses[] = {
    "WebKitWebDriver",      "WPEWebDriver",  "MiniBrowser",       "cog", "WebKitWebProcess",
    "WebKitNetworkProcess", "WPEWebProcess", "WPENetworkProcess", "Xvfb"};

bool noSessionProcesses(int hostPid) {
  for (const char* name : kSessionProcesses)
    if (!descendantsMatching(hostPid, name).empty())
      return false;
  return true;
}

std::vector<int> sessionProcesses(int hostPid) {
  std::vector<int> pids;
  for (const char* name : kSessionProcesses)
    for (int pid : descendantsMatching(hostPid, name))
      pids.push_back(pid);
  return pids;
}

// The session work directories of the host with `pid` (see host/process/temp_dirs.cpp).
std::vector<std::string> safariTempDirs(int pid) {
  const char* tmp = std::getenv("TMPDIR");
  std::string base = tmp != nullptr && tmp[0] == '/' ? tmp : "/tmp";
  std::string pattern =
      base + "/wdhost-" + std::to_string(::geteuid()) + "/" + std::to_string(pid) + "-*/safari-*";
  std::vector<std::string> found;
  glob_t matches{};
  if (::glob(pattern.c_str(), 0, nullptr, &matches) == 0)
    for (std::size_t i = 0; i < matches.gl_pathc; ++i)
      found.emplace_back(matches.gl_pathv[i]);
  ::globfree(&matches);
  return found;
}

bool wpeInstalled() {
  return ::access("/usr/bin/WPEWebDriver", X_OK) == 0 && ::access("/usr/bin/cog", X_OK) == 0;
}

// The same client flow as the chrome test: navigate, title, find, click, script, screenshot,
// window rect, delete; then nothing of the session is left.
void driveAndDelete(const HostProcess& host, const std::string& id) {
  std::string base = "/session/" + id;
  HttpAnswer nav =
      httpRequest(host.port(), "POST", base + "/url", std::string(R"({"url":")") + kPage + "\"}");
  REQUIRE_MESSAGE(nav.status == 200, nav.body);
  CHECK(httpRequest(host.port(), "GET", base + "/title").body == R"({"value":"Hello"})");

  HttpAnswer found = httpRequest(host.port(), "POST", base + "/element",
                                 R"({"using":"css selector","value":"#b"})");
  REQUIRE_MESSAGE(found.status == 200, found.body);
  rapidjson::Document element = parseJson(found.body);
  std::string elementId = element["value"]["element-6066-11e4-a52e-4f735466cecf"].GetString();
  CHECK(httpRequest(host.port(), "POST", base + "/element/" + elementId + "/click", "{}").status ==
        200);
  CHECK(httpRequest(host.port(), "GET", base + "/title").body == R"({"value":"clicked"})");

  HttpAnswer input = httpRequest(host.port(), "POST", base + "/element",
                                 R"({"using":"css selector","value":"#i"})");
  REQUIRE_MESSAGE(input.status == 200, input.body);
  std::string inputId =
      parseJson(input.body)["value"]["element-6066-11e4-a52e-4f735466cecf"].GetString();
  HttpAnswer typed = httpRequest(host.port(), "POST", base + "/element/" + inputId + "/value",
                                 R"({"text":"typed by wdhost"})");
  CHECK_MESSAGE(typed.status == 200, typed.body);
  CHECK(httpRequest(host.port(), "GET", base + "/element/" + inputId + "/property/value").body ==
        R"({"value":"typed by wdhost"})");

  HttpAnswer missing = httpRequest(host.port(), "POST", base + "/element",
                                   R"({"using":"css selector","value":"#none"})");
  CHECK(missing.status == 404);
  CHECK(missing.body.find("no such element") != std::string::npos);

  HttpAnswer script = httpRequest(host.port(), "POST", base + "/execute/sync",
                                  R"({"script":"return arguments[0] + 1","args":[41]})");
  CHECK(script.body == R"({"value":42})");

  HttpAnswer shot = httpRequest(host.port(), "GET", base + "/screenshot");
  CHECK(shot.status == 200);
  CHECK(shot.body.find("\"value\":\"iVBOR") != std::string::npos);

  HttpAnswer rect = httpRequest(host.port(), "GET", base + "/window/rect");
  CHECK(rect.status == 200);
  CHECK(rect.body.find("\"width\":") != std::string::npos);

  int hostPid = host.pid();
  CHECK_FALSE(sessionProcesses(hostPid).empty());
  CHECK(safariTempDirs(hostPid).size() == 1);
  HttpAnswer deleted = httpRequest(host.port(), "DELETE", base);
  CHECK(deleted.status == 200);
  CHECK(deleted.body == R"({"value":null})");
  CHECK(eventually([&] { return noSessionProcesses(hostPid); }, std::chrono::seconds(10)));
  CHECK(eventually([&] { return safariTempDirs(hostPid).empty(); }, std::chrono::seconds(10)));
  CHECK(httpRequest(host.port(), "GET", base + "/title").status == 404);
}

} // namespace

TEST_CASE("e2e safari: MiniBrowser on a private Xvfb: navigate, find, click, script, delete") {
  HostProcess host(WDHOST_BINARY, {"--plugin", "safari", "--plugin-option", "safari.display=xvfb"});
  rapidjson::Document caps(rapidjson::kObjectType);
  std::string id = newSession(host, R"({"browserName": "safari"})", &caps);
  CHECK(id.size() == 36);

  // The capabilities say which browser really runs: WebKitGTK's MiniBrowser, its version.
  CHECK(std::string(caps["browserName"].GetString()) == "MiniBrowser");
  CHECK(std::string(caps["platformName"].GetString()) == "linux");
  REQUIRE(caps["browserVersion"].IsString());
  CHECK(std::string(caps["browserVersion"].GetString()).find('.') != std::string::npos);
  for (const char* key : {"acceptInsecureCerts", "pageLoadStrategy", "setWindowRect", "timeouts",
                          "unhandledPromptBehavior", "userAgent", "webkitgtk:browserOptions"})
    CHECK_MESSAGE(caps.HasMember(key), key);
  CHECK(std::string(caps["userAgent"].GetString()).find("Safari/") != std::string::npos);
  const auto& options = caps["webkitgtk:browserOptions"];
  CHECK(std::string(options["binary"].GetString()).find("MiniBrowser") != std::string::npos);
  CHECK(std::string(options["args"][0].GetString()) == "--automation");
  CHECK(!descendantsMatching(host.pid(), "Xvfb").empty());

  driveAndDelete(host, id);
  CHECK(host.stop() == 0);
}

TEST_CASE("e2e safari: the WPE port runs headless without any X server") {
  if (!wpeInstalled()) {
    MESSAGE("skipped: WPEWebDriver and cog are not installed (Debian: wpewebkit-driver cog)");
    return;
  }
  HostProcess host(WDHOST_BINARY, {"--plugin", "safari"});
  rapidjson::Document caps(rapidjson::kObjectType);
  std::string id = newSession(host, R"({"browserName": "safari", "safari:automaticInspection":
    false, "wpe:browserOptions": {"args": ["--enable-javascript=true"]}})",
                              &caps);
  CHECK(std::string(caps["browserName"].GetString()) == "cog");
  CHECK_FALSE(caps.HasMember("safari:automaticInspection"));
  const auto& args = caps["wpe:browserOptions"]["args"];
  REQUIRE(args.Size() == 3);
  CHECK(std::string(args[1].GetString()) == "--automation");
  CHECK(std::string(args[2].GetString()) == "--platform=headless");
  CHECK(descendantsMatching(host.pid(), "Xvfb").empty());
  driveAndDelete(host, id);
  CHECK(host.stop() == 0);
}

TEST_CASE("e2e safari: SIGTERM closes live sessions and leaves no process or temp dir") {
  HostProcess host(WDHOST_BINARY, {"--plugin", "safari", "--plugin-option", "safari.display=xvfb"});
  newSession(host, R"({"browserName": "safari"})", nullptr);
  newSession(host, R"({})", nullptr);
  int hostPid = host.pid();
  std::vector<int> pids = sessionProcesses(hostPid);
  CHECK(descendantsMatching(hostPid, "Xvfb").size() >= 2); // one private Xvfb per session
  CHECK(pids.size() >= 8);
  CHECK(safariTempDirs(hostPid).size() == 2);
  CHECK(host.stop() == 0);
  CHECK(eventually(
      [&] {
        for (int pid : pids)
          if (alive(pid))
            return false;
        return true;
      },
      std::chrono::seconds(10)));
  CHECK(safariTempDirs(hostPid).empty());
}

TEST_CASE("e2e safari: a host killed with SIGKILL takes its WebKit and Xvfb with it") {
  HostProcess host(WDHOST_BINARY, {"--plugin", "safari", "--plugin-option", "safari.display=xvfb"});
  newSession(host, R"({"browserName": "safari"})", nullptr);
  std::vector<int> pids = sessionProcesses(host.pid());
  REQUIRE_FALSE(pids.empty());
  kill(host.pid(), SIGKILL);
  host.stop(std::chrono::seconds(5));
  CHECK(eventually(
      [&] {
        for (int pid : pids)
          if (alive(pid))
            return false;
        return true;
      },
      std::chrono::seconds(15)));
}

TEST_CASE("e2e safari: --list-plugins describes WebKit and the display mode") {
  CommandResult listed = runCommand({WDHOST_BINARY, "--plugin", "safari", "--list-plugins"});
  CHECK_MESSAGE(listed.exitCode == 0, listed.output);
  CHECK(listed.output.find("webkitgtk-minibrowser") != std::string::npos);
  CHECK(listed.output.find(wpeInstalled() ? R"("display":"wpe")" : R"("display":"xvfb")") !=
        std::string::npos);
  CommandResult xvfb = runCommand({WDHOST_BINARY, "--plugin", "safari", "--plugin-option",
                                   "safari.display=xvfb", "--list-plugins"});
  CHECK(xvfb.output.find(R"("display":"xvfb")") != std::string::npos);
  CHECK(xvfb.output.find(R"("name":"WebKitWebDriver")") != std::string::npos);

  CommandResult bad = runCommand({WDHOST_BINARY, "--plugin", "safari", "--plugin-option",
                                  "safari.colour=red", "--list-plugins"});
  CHECK(bad.output.find("unknown safari plugin option 'colour'") != std::string::npos);
}

TEST_CASE("e2e safari: a driver that cannot start fails New Session and leaves nothing") {
  HostProcess host(WDHOST_BINARY,
                   {"--plugin", "safari", "--plugin-option", "safari.driver=/bin/false",
                    "--plugin-option", "safari.binary=/bin/true", "--plugin-option",
                    "safari.display=xvfb"});
  HttpAnswer created =
      httpRequest(host.port(), "POST", "/session",
                  R"({"capabilities": {"alwaysMatch": {"browserName": "safari"}}})");
  CHECK(created.status == 500);
  CHECK(created.body.find("session not created") != std::string::npos);
  CHECK(created.body.find("WebKitWebDriver") != std::string::npos);
  CHECK(eventually([&] { return noSessionProcesses(host.pid()); }, std::chrono::seconds(10)));
  CHECK(safariTempDirs(host.pid()).empty());
}

TEST_CASE("e2e safari: a killed WebKitWebDriver means invalid session id at once, slot freed") {
  HostProcess host(WDHOST_BINARY, {"--plugin", "safari", "--plugin-option", "safari.display=xvfb",
                                   "--max-sessions", "1", "--no-queue"});
  std::string id = newSession(host, R"({"browserName": "safari"})", nullptr);
  std::vector<int> drivers = descendantsMatching(host.pid(), "WebKitWebDriver");
  REQUIRE_FALSE(drivers.empty());
  for (int pid : drivers)
    kill(pid, SIGKILL);
  for (int i = 0; i < 3; ++i) {
    HttpAnswer after = httpRequest(host.port(), "GET", "/session/" + id + "/title");
    CHECK_MESSAGE(after.status == 404, after.body);
    CHECK(after.body.find("invalid session id") != std::string::npos);
  }
  CHECK(noSessionsWithin(host.port(), std::chrono::seconds(10)));
  CHECK(eventually([&] { return noSessionProcesses(host.pid()); }, std::chrono::seconds(10)));
}
