// End to end: the JSON sessions command API over real headless Chromium, and the same sessions
// through WebDriver.
#include "e2e/sessions_api_calls.h"
#include "support/host_process.h"
#include "support/test_site.h"

#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <string>

using namespace wdhtest;

TEST_CASE("sessions api: create with an id, cookies persist, WebDriver drives it, destroy") {
  TestSite site;
  HostProcess host(WDHOST_BINARY, {"--plugin", "chrome", "--allow-target", site.authority()});
  rapidjson::Document created = apiCall(host, R"({"cmd":"sessions.create","session":"shop-1"})");
  REQUIRE_MESSAGE(textOf(created, "data") == "success", textOf(created, "error"));
  CHECK(textOf(created, "session") == "shop-1");
  CHECK(created["solution"]["verified"].GetBool());
  CHECK(textOf(created["fingerprint"], "browserName") == "chrome");
  CHECK(textOf(created["fingerprint"], "userAgent").find("Chrome/") != std::string::npos);
  CHECK(textOf(created["context"], "_guid").rfind("browser-context@", 0) == 0);
  // BiDi and CDP clients attach to the persistent session through the host, by its id.
  std::string base = "ws://127.0.0.1:" + std::to_string(host.port()) + "/session/shop-1";
  CHECK(textOf(created, "webSocketUrl") == base + "/se/bidi");
  CHECK(textOf(created, "cdpUrl") == base + "/se/cdp");

  int status = 0;
  apiCall(host, R"({"cmd":"sessions.create","session":"shop-1"})", &status);
  CHECK(status == 409);

  rapidjson::Document first = apiCall(host, R"({"cmd":"request.get","session":"shop-1","url":")" +
                                                site.url("/set-cookie") + "\"}");
  REQUIRE_MESSAGE(textOf(first, "data") == "success", textOf(first, "error"));
  CHECK(first["solution"]["statusCode"].GetInt() == 200);
  CHECK(textOf(first["solution"], "cookieString") == "visit=1");
  rapidjson::Document second = apiCall(host, R"({"cmd":"request.get","session":"shop-1","url":")" +
                                                 site.url("/show-cookie") + "\"}");
  CHECK(textOf(second["solution"], "innerText").find("[visit=1]") != std::string::npos);
  CHECK(textOf(second["solution"], "currentUrl") == site.url("/show-cookie"));

  rapidjson::Document missing = apiCall(host, R"({"cmd":"request.get","session":"shop-1","url":")" +
                                                  site.url("/missing") + "\"}");
  CHECK(missing["solution"]["statusCode"].GetInt() == 404);

  rapidjson::Document posted =
      apiCall(host, R"({"cmd":"request.post","session":"shop-1","url":")" + site.url("/form") +
                        R"(","postData":"a=1&b=two"})");
  CHECK(textOf(posted["solution"], "innerText").find("posted: [a=1&b=two]") != std::string::npos);

  // The same session through WebDriver, by its id.
  HttpAnswer title = httpRequest(host.port(), "GET", "/session/shop-1/title");
  CHECK(title.body == R"({"value":"Form"})");

  rapidjson::Document listed = apiCall(host, R"({"cmd":"sessions.list"})");
  CHECK(listed["open"].GetInt() == 1);
  CHECK(textOf(listed["sessions"][0], "session") == "shop-1");
  CHECK(listed["sessions"][0]["lastAccessed"].GetInt64() > 1700000000000LL);
  CHECK(textOf(listed["sessions"][0], "webSocketUrl") == base + "/se/bidi");
  CHECK(textOf(listed["sessions"][0], "cdpUrl") == base + "/se/cdp");
  CHECK(apiCall(host, R"({"cmd":"sessions.active","session":"shop-1"})")["active"].GetBool());

  rapidjson::Document destroyed = apiCall(host, R"({"cmd":"sessions.destroy","session":"shop-1"})");
  CHECK(textOf(destroyed, "data") == "success");
  CHECK_FALSE(apiCall(host, R"({"cmd":"sessions.active","session":"shop-1"})")["active"].GetBool());
  apiCall(host, R"({"cmd":"sessions.destroy","session":"shop-1"})", &status);
  CHECK(status == 404);
  CHECK(eventually([&] { return descendantsMatching(host.pid(), "/usr/lib/chromium/").empty(); },
                   std::chrono::seconds(10)));
}

TEST_CASE("sessions api: a session made by WebDriver serves request.get, one-off sessions too") {
  TestSite site;
  HostProcess host(WDHOST_BINARY, {"--plugin", "chrome", "--allow-target", site.authority()});
  HttpAnswer created = httpRequest(host.port(), "POST", "/session",
                                   R"({"capabilities":{"alwaysMatch":{"browserName":"chrome"}}})");
  REQUIRE(created.status == 200);
  std::string id = created.body.substr(created.body.find("\"sessionId\":\"") + 13, 36);
  rapidjson::Document got = apiCall(host, R"({"cmd":"request.get","session":")" + id +
                                              R"(","url":")" + site.url("/page") + "\"}");
  CHECK(textOf(got["solution"], "innerText").find("Hello from the test site") != std::string::npos);

  rapidjson::Document oneOff =
      apiCall(host, R"({"cmd":"request.get","url":")" + site.url("/page") + "\"}");
  REQUIRE_MESSAGE(textOf(oneOff, "data") == "success", textOf(oneOff, "error"));
  CHECK(textOf(oneOff["solution"], "response").find("<title>Test page</title>") !=
        std::string::npos);
  CHECK(apiCall(host, R"({"cmd":"sessions.list"})")["open"].GetInt() == 1);
}

TEST_CASE("sessions api: a mobile session presents a phone") {
  HostProcess host(WDHOST_BINARY, {"--plugin", "chrome"});
  rapidjson::Document created = apiCall(
      host, R"({"cmd":"sessions.create","device":["mobile"],"operatingSystem":["android"]})");
  REQUIRE_MESSAGE(textOf(created, "data") == "success", textOf(created, "error"));
  const rapidjson::Value& fingerprint = created["fingerprint"];
  CHECK(textOf(fingerprint, "device") == "mobile");
  CHECK(textOf(fingerprint, "userAgent").find("Android") != std::string::npos);
  CHECK(textOf(fingerprint, "userAgent").find("Mobile") != std::string::npos);
  CHECK(fingerprint["screen"]["width"].GetInt() == 360); // a Galaxy S23 (device_profiles.cpp)
  CHECK(fingerprint["maxTouchPoints"].GetInt() > 0);
}

TEST_CASE("sessions api: bad input, unknown commands and sessions, expiry") {
  HostProcess host(WDHOST_BINARY, {"--plugin", "chrome", "--session-timeout", "1"});
  int status = 0;
  rapidjson::Document unknown = apiCall(host, R"({"cmd":"sessions.fly"})", &status);
  CHECK(status == 400);
  CHECK(textOf(unknown, "code") == "unknown_command");
  CHECK(textOf(unknown, "error").find("sessions.create") != std::string::npos);
  apiCall(host, "not json", &status);
  CHECK(status == 400);
  apiCall(host, R"({"cmd":"sessions.create","session":"../etc"})", &status);
  CHECK(status == 400);
  apiCall(host, R"({"cmd":"sessions.create","device":["mobile"],"operatingSystem":["macos"]})",
          &status);
  CHECK(status == 400);
  rapidjson::Document datacenter =
      apiCall(host, R"({"cmd":"sessions.create","datacenter":true})", &status);
  CHECK(status == 400);
  CHECK(textOf(datacenter, "error").find("--proxy-pool") != std::string::npos);
  apiCall(host, R"({"cmd":"request.get","session":"nobody","url":"http://127.0.0.1:1/"})", &status);
  CHECK(status == 404);
  apiCall(host, R"({"cmd":"request.get","url":"file:///etc/passwd"})", &status);
  CHECK(status == 400);

  rapidjson::Document created = apiCall(host, R"({"cmd":"sessions.create","session":"short"})");
  REQUIRE(textOf(created, "data") == "success");
  CHECK(eventually(
      [&] {
        return !apiCall(host, R"({"cmd":"sessions.active","session":"short"})")["active"].GetBool();
      },
      std::chrono::seconds(15)));
}

TEST_CASE("sessions api: request.get sets cookies and custom headers for that request") {
  TestSite site;
  HostProcess host(WDHOST_BINARY, {"--plugin", "chrome", "--allow-target", site.authority()});
  rapidjson::Document created = apiCall(host, R"({"cmd":"sessions.create","session":"h"})");
  REQUIRE(textOf(created, "data") == "success");
  rapidjson::Document withCookies =
      apiCall(host, R"({"cmd":"request.get","session":"h","url":")" + site.url("/show-cookie") +
                        R"(","cookies":"pre=1; other=two"})");
  REQUIRE_MESSAGE(textOf(withCookies, "data") == "success", textOf(withCookies, "error"));
  std::string seen = textOf(withCookies["solution"], "innerText");
  CHECK(seen.find("pre=1") != std::string::npos);
  CHECK(seen.find("other=two") != std::string::npos);

  rapidjson::Document withHeader =
      apiCall(host, R"({"cmd":"request.get","session":"h","url":")" + site.url("/show-header") +
                        R"(","customHeaders":{"X-Test":"hello"}})");
  REQUIRE_MESSAGE(textOf(withHeader, "data") == "success", textOf(withHeader, "error"));
  CHECK(textOf(withHeader["solution"], "innerText").find("[hello]") != std::string::npos);
  // Only for that request.
  rapidjson::Document after = apiCall(host, R"({"cmd":"request.get","session":"h","url":")" +
                                                site.url("/show-header") + "\"}");
  CHECK(textOf(after["solution"], "innerText").find("[]") != std::string::npos);

  int status = 0;
  apiCall(host,
          R"({"cmd":"request.get","session":"h","url":")" + site.url("/page") +
              R"(","cookies":[{"value":"no name"}]})",
          &status);
  CHECK(status == 400);
}
