// End to end: the JSON sessions command API over real headless Chromium, and the same sessions
// through WebDriver.
#include "support/host_process.h"
#include "support/test_site.h"

#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <string>

using namespace wdhtest;

namespace {

rapidjson::Document call(const HostProcess& host, const std::string& body, int* status = nullptr) {
  HttpAnswer answer = httpRequest(host.port(), "POST", "/api/v1", body);
  if (status != nullptr)
    *status = answer.status;
  rapidjson::Document doc;
  doc.Parse(answer.body.c_str(), answer.body.size());
  REQUIRE_MESSAGE(!doc.HasParseError(), answer.body);
  return doc;
}

std::string text(const rapidjson::Value& value, const char* key) {
  return value.HasMember(key) && value[key].IsString() ? value[key].GetString() : "";
}

} // namespace

TEST_CASE("sessions api: create with an id, cookies persist, WebDriver drives it, destroy") {
  TestSite site;
  HostProcess host(WDHOST_BINARY, {"--plugin", "chrome", "--allow-target", site.authority()});
  rapidjson::Document created = call(host, R"({"cmd":"sessions.create","session":"shop-1"})");
  REQUIRE_MESSAGE(text(created, "data") == "success", text(created, "error"));
  CHECK(text(created, "session") == "shop-1");
  CHECK(created["solution"]["verified"].GetBool());
  CHECK(text(created["fingerprint"], "browserName") == "chrome");
  CHECK(text(created["fingerprint"], "userAgent").find("Chrome/") != std::string::npos);
  CHECK(text(created["context"], "_guid").rfind("browser-context@", 0) == 0);
  // BiDi and CDP clients attach to the persistent session through the host, by its id.
  std::string base = "ws://127.0.0.1:" + std::to_string(host.port()) + "/session/shop-1";
  CHECK(text(created, "webSocketUrl") == base + "/se/bidi");
  CHECK(text(created, "cdpUrl") == base + "/se/cdp");

  int status = 0;
  call(host, R"({"cmd":"sessions.create","session":"shop-1"})", &status);
  CHECK(status == 409);

  rapidjson::Document first = call(host, R"({"cmd":"request.get","session":"shop-1","url":")" +
                                             site.url("/set-cookie") + "\"}");
  REQUIRE_MESSAGE(text(first, "data") == "success", text(first, "error"));
  CHECK(first["solution"]["statusCode"].GetInt() == 200);
  CHECK(text(first["solution"], "cookieString") == "visit=1");
  rapidjson::Document second = call(host, R"({"cmd":"request.get","session":"shop-1","url":")" +
                                              site.url("/show-cookie") + "\"}");
  CHECK(text(second["solution"], "innerText").find("[visit=1]") != std::string::npos);
  CHECK(text(second["solution"], "currentUrl") == site.url("/show-cookie"));

  rapidjson::Document missing = call(host, R"({"cmd":"request.get","session":"shop-1","url":")" +
                                               site.url("/missing") + "\"}");
  CHECK(missing["solution"]["statusCode"].GetInt() == 404);

  rapidjson::Document posted = call(host, R"({"cmd":"request.post","session":"shop-1","url":")" +
                                              site.url("/form") + R"(","postData":"a=1&b=two"})");
  CHECK(text(posted["solution"], "innerText").find("posted: [a=1&b=two]") != std::string::npos);

  // The same session through WebDriver, by its id.
  HttpAnswer title = httpRequest(host.port(), "GET", "/session/shop-1/title");
  CHECK(title.body == R"({"value":"Form"})");

  rapidjson::Document listed = call(host, R"({"cmd":"sessions.list"})");
  CHECK(listed["open"].GetInt() == 1);
  CHECK(text(listed["sessions"][0], "session") == "shop-1");
  CHECK(listed["sessions"][0]["lastAccessed"].GetInt64() > 1700000000000LL);
  CHECK(text(listed["sessions"][0], "webSocketUrl") == base + "/se/bidi");
  CHECK(text(listed["sessions"][0], "cdpUrl") == base + "/se/cdp");
  CHECK(call(host, R"({"cmd":"sessions.active","session":"shop-1"})")["active"].GetBool());

  rapidjson::Document destroyed = call(host, R"({"cmd":"sessions.destroy","session":"shop-1"})");
  CHECK(text(destroyed, "data") == "success");
  CHECK_FALSE(call(host, R"({"cmd":"sessions.active","session":"shop-1"})")["active"].GetBool());
  call(host, R"({"cmd":"sessions.destroy","session":"shop-1"})", &status);
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
  rapidjson::Document got = call(host, R"({"cmd":"request.get","session":")" + id + R"(","url":")" +
                                           site.url("/page") + "\"}");
  CHECK(text(got["solution"], "innerText").find("Hello from the test site") != std::string::npos);

  rapidjson::Document oneOff =
      call(host, R"({"cmd":"request.get","url":")" + site.url("/page") + "\"}");
  REQUIRE_MESSAGE(text(oneOff, "data") == "success", text(oneOff, "error"));
  CHECK(text(oneOff["solution"], "response").find("<title>Test page</title>") != std::string::npos);
  CHECK(call(host, R"({"cmd":"sessions.list"})")["open"].GetInt() == 1);
}

TEST_CASE("sessions api: a mobile session presents a phone") {
  HostProcess host(WDHOST_BINARY, {"--plugin", "chrome"});
  rapidjson::Document created =
      call(host, R"({"cmd":"sessions.create","device":["mobile"],"operatingSystem":["android"]})");
  REQUIRE_MESSAGE(text(created, "data") == "success", text(created, "error"));
  const rapidjson::Value& fingerprint = created["fingerprint"];
  CHECK(text(fingerprint, "device") == "mobile");
  CHECK(text(fingerprint, "userAgent").find("Android") != std::string::npos);
  CHECK(text(fingerprint, "userAgent").find("Mobile") != std::string::npos);
  CHECK(fingerprint["screen"]["width"].GetInt() == 360); // a Galaxy S23 (device_profiles.cpp)
  CHECK(fingerprint["maxTouchPoints"].GetInt() > 0);
}

TEST_CASE("sessions api: bad input, unknown commands and sessions, expiry") {
  HostProcess host(WDHOST_BINARY, {"--plugin", "chrome", "--session-timeout", "1"});
  int status = 0;
  rapidjson::Document unknown = call(host, R"({"cmd":"sessions.fly"})", &status);
  CHECK(status == 400);
  CHECK(text(unknown, "code") == "unknown_command");
  CHECK(text(unknown, "error").find("sessions.create") != std::string::npos);
  call(host, "not json", &status);
  CHECK(status == 400);
  call(host, R"({"cmd":"sessions.create","session":"../etc"})", &status);
  CHECK(status == 400);
  call(host, R"({"cmd":"sessions.create","device":["mobile"],"operatingSystem":["macos"]})",
       &status);
  CHECK(status == 400);
  rapidjson::Document datacenter =
      call(host, R"({"cmd":"sessions.create","datacenter":true})", &status);
  CHECK(status == 400);
  CHECK(text(datacenter, "error").find("--proxy-pool") != std::string::npos);
  call(host, R"({"cmd":"request.get","session":"nobody","url":"http://127.0.0.1:1/"})", &status);
  CHECK(status == 404);
  call(host, R"({"cmd":"request.get","url":"file:///etc/passwd"})", &status);
  CHECK(status == 400);

  rapidjson::Document created = call(host, R"({"cmd":"sessions.create","session":"short"})");
  REQUIRE(text(created, "data") == "success");
  CHECK(eventually(
      [&] {
        return !call(host, R"({"cmd":"sessions.active","session":"short"})")["active"].GetBool();
      },
      std::chrono::seconds(15)));
}

TEST_CASE("sessions api: request.get sets cookies and custom headers for that request") {
  TestSite site;
  HostProcess host(WDHOST_BINARY, {"--plugin", "chrome", "--allow-target", site.authority()});
  rapidjson::Document created = call(host, R"({"cmd":"sessions.create","session":"h"})");
  REQUIRE(text(created, "data") == "success");
  rapidjson::Document withCookies =
      call(host, R"({"cmd":"request.get","session":"h","url":")" + site.url("/show-cookie") +
                     R"(","cookies":"pre=1; other=two"})");
  REQUIRE_MESSAGE(text(withCookies, "data") == "success", text(withCookies, "error"));
  std::string seen = text(withCookies["solution"], "innerText");
  CHECK(seen.find("pre=1") != std::string::npos);
  CHECK(seen.find("other=two") != std::string::npos);

  rapidjson::Document withHeader =
      call(host, R"({"cmd":"request.get","session":"h","url":")" + site.url("/show-header") +
                     R"(","customHeaders":{"X-Test":"hello"}})");
  REQUIRE_MESSAGE(text(withHeader, "data") == "success", text(withHeader, "error"));
  CHECK(text(withHeader["solution"], "innerText").find("[hello]") != std::string::npos);
  // Only for that request.
  rapidjson::Document after = call(host, R"({"cmd":"request.get","session":"h","url":")" +
                                             site.url("/show-header") + "\"}");
  CHECK(text(after["solution"], "innerText").find("[]") != std::string::npos);

  int status = 0;
  call(host,
       R"({"cmd":"request.get","session":"h","url":")" + site.url("/page") +
           R"(","cookies":[{"value":"no name"}]})",
       &status);
  CHECK(status == 400);
}
