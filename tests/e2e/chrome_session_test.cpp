// End to end: the real wdhost binary with the chrome plugin drives a real headless Chromium.
#include "support/host_process.h"
#include "support/proc_files.h"
#include "support/webdriver_client.h"

#include <cstdlib>
#include <doctest/doctest.h>
#include <fstream>
#include <iterator>
#include <rapidjson/document.h>
#include <signal.h>
#include <string>
#include <sys/stat.h>
#include <thread>

using namespace wdhtest;

namespace {

const char* kPage = "data:text/html,<title>Hello</title><button id='b' "
                    "onclick=\\\"document.title='clicked'\\\">press</button>";

// Browser processes (Chromium and its helpers); an idle chromedriver kept warm is expected.
constexpr const char* kBrowser = "/usr/lib/chromium/";

// The parent of `pid`, from /proc; 0 if unknown.
int parentOf(int pid) {
  std::string text;
  if (!readProcFile("/proc/" + std::to_string(pid) + "/stat", &text))
    return 0; // gone
  std::size_t paren = text.rfind(')');
  if (paren == std::string::npos || paren + 4 > text.size())
    return 0;
  return std::atoi(text.c_str() + paren + 4);
}

rapidjson::Document parse(const std::string& body) {
  return parseJson(body);
}

std::string newChromeSession(const HostProcess& host, rapidjson::Document* caps) {
  return createSession(host, R"({"browserName": "chrome"})", caps);
}
} // namespace

TEST_CASE("e2e chrome: new session, navigate, find, click, script, screenshot, delete") {
  HostProcess host(WDHOST_BINARY, {"--plugin", "chrome"});
  rapidjson::Document caps(rapidjson::kObjectType);
  std::string id = newChromeSession(host, &caps);
  CHECK(id.size() == 36);

  // The capabilities the browser really negotiated.
  CHECK(std::string(caps["browserName"].GetString()) == "chrome");
  CHECK(std::string(caps["platformName"].GetString()) == "linux");
  REQUIRE(caps["browserVersion"].IsString());
  CHECK(std::string(caps["browserVersion"].GetString()).find('.') != std::string::npos);
  for (const char* key :
       {"acceptInsecureCerts", "pageLoadStrategy", "proxy", "setWindowRect",
        "strictFileInteractability", "timeouts", "unhandledPromptBehavior", "userAgent"})
    CHECK_MESSAGE(caps.HasMember(key), key);
  CHECK(std::string(caps["userAgent"].GetString()).find("Chrome/") != std::string::npos);
  std::string profile = caps["chrome"]["userDataDir"].GetString();
  CHECK(pathExists(profile));

  std::string base = "/session/" + id;
  HttpAnswer nav =
      httpRequest(host.port(), "POST", base + "/url", std::string(R"({"url":")") + kPage + "\"}");
  REQUIRE_MESSAGE(nav.status == 200, nav.body);
  CHECK(httpRequest(host.port(), "GET", base + "/title").body == R"({"value":"Hello"})");

  HttpAnswer found = httpRequest(host.port(), "POST", base + "/element",
                                 R"({"using":"css selector","value":"#b"})");
  REQUIRE_MESSAGE(found.status == 200, found.body);
  rapidjson::Document element = parse(found.body);
  std::string elementId = element["value"]["element-6066-11e4-a52e-4f735466cecf"].GetString();
  CHECK(httpRequest(host.port(), "POST", base + "/element/" + elementId + "/click", "{}").status ==
        200);
  CHECK(httpRequest(host.port(), "GET", base + "/title").body == R"({"value":"clicked"})");

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

  int hostPid = host.pid();
  CHECK_FALSE(descendantsMatching(hostPid, "chromium").empty());
  HttpAnswer deleted = httpRequest(host.port(), "DELETE", base);
  CHECK(deleted.status == 200);
  CHECK(deleted.body == R"({"value":null})");
  CHECK(eventually([&] { return descendantsMatching(hostPid, kBrowser).empty(); },
                   std::chrono::seconds(10)));
  // The teardown goes on after Delete answered; the profile goes with it.
  CHECK(eventually([&] { return !pathExists(profile); }, std::chrono::seconds(10)));
  CHECK(httpRequest(host.port(), "GET", base + "/title").status == 404);
  CHECK(host.stop() == 0);
}

TEST_CASE("e2e chrome: SIGTERM closes live sessions and leaves no process behind") {
  HostProcess host(WDHOST_BINARY, {"--plugin", "chrome"});
  rapidjson::Document caps(rapidjson::kObjectType);
  newChromeSession(host, &caps);
  newChromeSession(host, nullptr);
  std::string profile = caps["chrome"]["userDataDir"].GetString();
  std::vector<int> browsers = descendantsMatching(host.pid(), "chrom");
  CHECK(browsers.size() >= 4);
  CHECK(host.stop() == 0);
  for (int pid : browsers)
    CHECK_MESSAGE(!alive(pid), "process " << pid << " outlived the host");
  CHECK_FALSE(pathExists(profile));
}

TEST_CASE("e2e chrome: a host killed with SIGKILL takes its browsers with it") {
  HostProcess host(WDHOST_BINARY, {"--plugin", "chrome"});
  newChromeSession(host, nullptr);
  std::vector<int> browsers = descendantsMatching(host.pid(), "chrom");
  REQUIRE_FALSE(browsers.empty());
  kill(host.pid(), SIGKILL);
  host.stop(std::chrono::seconds(5));
  CHECK(eventually(
      [&] {
        for (int pid : browsers)
          if (alive(pid))
            return false;
        return true;
      },
      std::chrono::seconds(15)));
}

TEST_CASE("e2e chrome: a bad chromedriver path fails New Session with the reason") {
  HostProcess host(WDHOST_BINARY,
                   {"--plugin-option", "chrome.driver=/bin/false", "--log-level", "debug"});
  HttpAnswer created =
      httpRequest(host.port(), "POST", "/session",
                  R"({"capabilities": {"alwaysMatch": {"browserName": "chrome"}}})");
  CHECK(created.status == 500);
  CHECK(created.body.find("session not created") != std::string::npos);
  CHECK(created.body.find("chromedriver") != std::string::npos);
  CHECK(descendantsMatching(host.pid(), "/bin/false").empty());
}

TEST_CASE("e2e chrome: capability processing before the browser is asked") {
  HostProcess host(WDHOST_BINARY, {"--plugin", "chrome"});
  auto post = [&](const std::string& caps) {
    return httpRequest(host.port(), "POST", "/session", R"({"capabilities":)" + caps + "}");
  };
  // Invalid values never reach a browser.
  HttpAnswer legacy = post(R"({"alwaysMatch":{"browserName":"chrome","chromeOptions":{}}})");
  CHECK(legacy.status == 400);
  CHECK(legacy.body.find("goog:chromeOptions") != std::string::npos);
  CHECK(post(R"({"alwaysMatch":{"pageLoadStrategy":"fast"}})").status == 400);
  CHECK(descendantsMatching(host.pid(), kBrowser).empty());

  // Matching: exact platformName, version comparisons; the offer is named when nothing fits.
  HttpAnswer upper = post(R"({"alwaysMatch":{"browserName":"chrome","platformName":"LINUX"}})");
  CHECK(upper.status == 500);
  CHECK(upper.body.find("session not created") != std::string::npos);
  CHECK(upper.body.find("chrome 1") != std::string::npos);
  CHECK(post(R"({"alwaysMatch":{"browserName":"chrome","browserVersion":"<100"}})").status == 500);

  HttpAnswer created = post(R"({"alwaysMatch":{"platformName":"linux",
      "browserVersion":">=100","timeouts":{"implicit":1500,"script":null}},
      "firstMatch":[{"browserName":"firefox"},{"browserName":"chrome"}]})");
  REQUIRE_MESSAGE(created.status == 200, created.body);
  rapidjson::Document doc = parse(created.body);
  CHECK(doc["value"].MemberCount() == 2);
  const rapidjson::Value& caps = doc["value"]["capabilities"];
  CHECK(caps["timeouts"]["implicit"].GetInt() == 1500);
  CHECK(caps["timeouts"]["script"].IsNull());
  std::string id = doc["value"]["sessionId"].GetString();
  CHECK(httpRequest(host.port(), "GET", "/session/" + id + "/timeouts").body.find("1500") !=
        std::string::npos);
  CHECK(httpRequest(host.port(), "DELETE", "/session/" + id).status == 200);
  // A second delete is safe and says the session is gone.
  HttpAnswer again = httpRequest(host.port(), "DELETE", "/session/" + id);
  CHECK(again.status == 404);
  CHECK(again.body.find("invalid session id") != std::string::npos);
}

TEST_CASE("e2e chrome: the host's secrets stay out of chromedriver's and Chromium's environment") {
  // The host inherits these from its parent, as from a CI job or a cloud instance.
  ::setenv("WDHOST_TEST_SECRET", "wdhost-test-s3cr3t", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "aws-test-s3cr3t", 1);
  ::setenv("WDHOST_TEST_PASSED", "passed-on", 1);
  HostProcess host(WDHOST_BINARY, {"--plugin", "chrome", "--warm-browsers", "0", "--pass-env",
                                   "WDHOST_TEST_PAS*"});
  ::unsetenv("WDHOST_TEST_SECRET");
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  ::unsetenv("WDHOST_TEST_PASSED");
  rapidjson::Document caps(rapidjson::kObjectType);
  std::string id = newChromeSession(host, &caps);
  CHECK(httpRequest(host.port(), "POST", "/session/" + id + "/url",
                    std::string(R"({"url":")") + kPage + "\"}")
            .status == 200);
  std::vector<int> pids = descendantsMatching(host.pid(), kBrowser);
  std::vector<int> drivers = descendantsMatching(host.pid(), "/usr/bin/chromedriver", true);
  REQUIRE_FALSE(pids.empty());
  REQUIRE_FALSE(drivers.empty());
  pids.insert(pids.end(), drivers.begin(), drivers.end());
  std::size_t read = 0;
  for (int pid : pids) {
    std::string env, cmdline;
    readProcFile("/proc/" + std::to_string(pid) + "/environ", &env);
    readProcFile("/proc/" + std::to_string(pid) + "/cmdline", &cmdline);
    if (env.empty())
      continue; // it ended meanwhile (a short-lived helper)
    CAPTURE(pid);
    CHECK(env.find("s3cr3t") == std::string::npos);
    CHECK(env.find("AWS_SECRET_ACCESS_KEY") == std::string::npos);
    CHECK(env.find("WDHOST_TEST_SECRET") == std::string::npos);
    // Chromium's zygote-forked helpers (--type=) write their title over their environment.
    if (cmdline.find("--type=") != std::string::npos)
      continue;
    ++read;
    env.insert(0, 1, '\0');
    CHECK(env.find(std::string("\0WDHOST_TEST_PASSED=passed-on\0", 30)) != std::string::npos);
    CHECK(env.find(std::string("\0PATH=", 6)) != std::string::npos);
    CHECK(env.find(std::string("\0HOME=", 6)) != std::string::npos);
  }
  CHECK(read >= 2);
  CHECK(httpRequest(host.port(), "DELETE", "/session/" + id).status == 200);
}

TEST_CASE("e2e chrome: a client's binary and command prefix are refused before any browser") {
  HostProcess host(WDHOST_BINARY, {"--plugin", "chrome", "--warm-browsers", "0"});
  for (const char* options : {R"({"binary": "/bin/sh"})",
                              R"({"args": ["--headless=new", "--renderer-cmd-prefix=/bin/sh"]})",
                              R"({"args": ["--user-data-dir=/root"]})"}) {
    CAPTURE(options);
    HttpAnswer refused =
        httpRequest(host.port(), "POST", "/session",
                    std::string(R"({"capabilities":{"alwaysMatch":{"browserName":"chrome",)"
                                R"("goog:chromeOptions":)") +
                        options + "}}}");
    CHECK(refused.status == 400);
    CHECK(refused.body.find("invalid argument") != std::string::npos);
    CHECK(refused.body.find("--allow-client-binaries") != std::string::npos);
  }
  CHECK(descendantsMatching(host.pid(), kBrowser).empty());
}

TEST_CASE("e2e chrome: a driver killed mid-session ends the session at once and frees its slot") {
  HostProcess host(WDHOST_BINARY, {"--plugin", "chrome", "--max-sessions", "1", "--no-queue"});
  rapidjson::Document caps(rapidjson::kObjectType);
  std::string id = newChromeSession(host, &caps);
  // The session's chromedriver is the browser's parent (others may be kept warm).
  int driver = parentOf(caps["goog:processID"].GetInt());
  REQUIRE(driver > 1);
  kill(driver, SIGKILL);
  // At once, and for the commands after: invalid session id, naming the cause.
  for (int i = 0; i < 3; ++i) {
    HttpAnswer after = httpRequest(host.port(), "GET", "/session/" + id + "/title");
    CHECK(after.status == 404);
    CHECK(after.body.find("invalid session id") != std::string::npos);
    CHECK_MESSAGE((after.body.find("is gone") != std::string::npos ||
                   after.body.find("signal 9") != std::string::npos),
                  after.body);
  }
  CHECK(noSessionsWithin(host.port(), std::chrono::seconds(10)));
  CHECK(eventually([&] { return descendantsMatching(host.pid(), kBrowser).empty(); },
                   std::chrono::seconds(10)));
  // The slot is free again.
  std::string next = newChromeSession(host, nullptr);
  CHECK(httpRequest(host.port(), "DELETE", "/session/" + next).status == 200);
}

TEST_CASE("e2e chrome: a browser killed mid-session gives an error and no hang") {
  HostProcess host(WDHOST_BINARY, {"--plugin", "chrome"});
  rapidjson::Document caps(rapidjson::kObjectType);
  std::string id = newChromeSession(host, &caps);
  int browser = caps["goog:processID"].GetInt();
  kill(browser, SIGKILL);
  HttpAnswer after =
      httpRequest(host.port(), "GET", "/session/" + id + "/title", "", std::chrono::seconds(60));
  MESSAGE("after the browser died: " << after.status << " " << after.body.substr(0, 300));
  CHECK(after.status >= 400);
  CHECK(after.body.find("\"error\"") != std::string::npos);
  // The host ended its session too (its teardown runs in the background): slot free, driver
  // gone.
  CHECK(noSessionsWithin(host.port(), std::chrono::seconds(10)));
  CHECK(eventually([&] { return descendantsMatching(host.pid(), kBrowser).empty(); },
                   std::chrono::seconds(10)));
  CHECK(host.stop() == 0);
  CHECK(descendantsMatching(host.pid(), kBrowser).empty());
}

TEST_CASE("e2e chrome: warm drivers are used, never shared, replenished, and ended with the host") {
  HostProcess host(WDHOST_BINARY, {"--plugin", "chrome", "--warm-drivers", "1"});
  auto drivers = [&] { return descendantsMatching(host.pid(), "/usr/bin/chromedriver", true); };
  REQUIRE(eventually([&] { return drivers().size() == 1; }, std::chrono::seconds(15)));
  int warm = drivers().front();

  rapidjson::Document first(rapidjson::kObjectType);
  newChromeSession(host, &first);
  int firstDriver = parentOf(first["goog:processID"].GetInt());
  // The pool starts another for the next session.
  CHECK(eventually([&] { return drivers().size() == 2; }, std::chrono::seconds(15)));

  rapidjson::Document second(rapidjson::kObjectType);
  newChromeSession(host, &second);
  int secondDriver = parentOf(second["goog:processID"].GetInt());
  CHECK(firstDriver > 1);
  CHECK(secondDriver > 1);
  // Never shared; and the driver started ahead served one of them (the first New Session may
  // come before it is ready, and then starts its own).
  CHECK(firstDriver != secondDriver);
  CHECK((firstDriver == warm || secondDriver == warm));

  std::vector<int> all = descendantsMatching(host.pid(), "chrom");
  CHECK(host.stop() == 0);
  for (int pid : all)
    CHECK_MESSAGE(!alive(pid), "process " << pid << " outlived the host");
}

TEST_CASE("e2e chrome: --warm-drivers 0 keeps no driver idle") {
  // Listening means the host already told every plugin its target (0): the chrome plugin's pool
  // starts drivers ahead only on a thread of its own, which a target of 0 never starts. So none
  // is there now, and none can come later: not even to replace the one a session used.
  HostProcess host(WDHOST_BINARY, {"--plugin", "chrome", "--warm-drivers", "0"});
  auto drivers = [&] { return descendantsMatching(host.pid(), "/usr/bin/chromedriver", true); };
  CHECK(drivers().empty());
  rapidjson::Document caps(rapidjson::kObjectType);
  std::string id = newChromeSession(host, &caps);
  CHECK(drivers().size() == 1); // the session's own
  CHECK(httpRequest(host.port(), "DELETE", "/session/" + id).status == 200);
  CHECK(eventually([&] { return drivers().empty(); }, std::chrono::seconds(30)));
}
