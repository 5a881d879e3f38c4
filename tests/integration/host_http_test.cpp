// The real wdhost binary over HTTP with the fixture plugins (no browser needed): routing,
// W3C errors and headers, New Session matching, the in-process command hook, Delete.
#include "support/host_process.h"

#include <doctest/doctest.h>

using namespace wdhtest;

namespace {

// Starts wdhost with the fixture plugins, fake first.
HostProcess startHost() {
  return HostProcess(WDHOST_BINARY, {"--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin", "fake",
                                     "--plugin", "thrower", "--log-level", "debug"});
}

bool isW3cError(const HttpAnswer& answer, int status, const char* error) {
  return answer.status == status && answer.contentType == "application/json; charset=utf-8" &&
         answer.cacheControl == "no-cache" &&
         answer.body.find(std::string("\"error\":\"") + error + "\"") != std::string::npos &&
         answer.body.find("\"message\":") != std::string::npos &&
         answer.body.find("\"stacktrace\":") != std::string::npos;
}

} // namespace

TEST_CASE("http: status answers ready with the plugins") {
  HostProcess host = startHost();
  HttpAnswer status = httpRequest(host.port(), "GET", "/status");
  CHECK(status.status == 200);
  CHECK(status.contentType == "application/json; charset=utf-8");
  CHECK(status.body.find("\"ready\":true") != std::string::npos);
  CHECK(status.body.find("\"name\":\"fake\"") != std::string::npos);
}

TEST_CASE("http: unknown paths, wrong methods and unknown sessions get W3C errors") {
  HostProcess host = startHost();
  CHECK(isW3cError(httpRequest(host.port(), "GET", "/nowhere"), 404, "unknown command"));
  CHECK(isW3cError(httpRequest(host.port(), "GET", "/session"), 405, "unknown method"));
  CHECK(isW3cError(httpRequest(host.port(), "PUT", "/status"), 405, "unknown method"));
  CHECK(
      isW3cError(httpRequest(host.port(), "GET", "/session/nope/url"), 404, "invalid session id"));
  CHECK(isW3cError(httpRequest(host.port(), "DELETE", "/session/nope"), 404, "invalid session id"));
  std::string absurd(5000, 'x');
  CHECK(isW3cError(httpRequest(host.port(), "GET", "/session/" + absurd + "/url"), 404,
                   "invalid session id"));
}

TEST_CASE("http: New Session bodies that are not W3C capabilities are invalid argument") {
  HostProcess host = startHost();
  CHECK(isW3cError(httpRequest(host.port(), "POST", "/session", "not json"), 400,
                   "invalid argument"));
  CHECK(isW3cError(httpRequest(host.port(), "POST", "/session", "[1,2]"), 400, "invalid argument"));
  CHECK(isW3cError(httpRequest(host.port(), "POST", "/session", ""), 400, "invalid argument"));
  HttpAnswer legacy = httpRequest(host.port(), "POST", "/session",
                                  R"({"desiredCapabilities":{"browserName":"fake"}})");
  CHECK(isW3cError(legacy, 400, "invalid argument"));
  CHECK(legacy.body.find("W3C") != std::string::npos);
  CHECK(isW3cError(
      httpRequest(host.port(), "POST", "/session", R"({"capabilities":{"firstMatch":[]}})"), 400,
      "invalid argument"));
}

TEST_CASE("http: no matching plugin is session not created naming what is offered") {
  HostProcess host = startHost();
  HttpAnswer answer = httpRequest(host.port(), "POST", "/session",
                                  R"({"capabilities":{"alwaysMatch":{"browserName":"opera"}}})");
  CHECK(isW3cError(answer, 500, "session not created"));
  CHECK(answer.body.find("opera") != std::string::npos);
  CHECK(answer.body.find("fake 1.2.3 on linux") != std::string::npos);
}

TEST_CASE("http: a plugin whose negotiate throws fails New Session cleanly, host lives on") {
  HostProcess host = startHost();
  HttpAnswer answer = httpRequest(host.port(), "POST", "/session",
                                  R"({"capabilities":{"alwaysMatch":{"browserName":"thrower"}}})");
  CHECK(isW3cError(answer, 500, "session not created"));
  CHECK(httpRequest(host.port(), "GET", "/status").status == 200);
}

TEST_CASE("http: a session through the in-process command hook, then delete") {
  HostProcess host = startHost();
  HttpAnswer created = httpRequest(
      host.port(), "POST", "/session",
      R"({"capabilities":{"firstMatch":[{"browserName":"opera"},{"browserName":"fake"}]}})");
  REQUIRE(created.status == 200);
  CHECK(created.body.find("\"browserVersion\":\"1.2.3\"") != std::string::npos);
  std::string id = sessionIdOf(created.body);
  REQUIRE(id.size() == 36);

  HttpAnswer url = httpRequest(host.port(), "GET", "/session/" + id + "/url");
  CHECK(url.status == 200);
  CHECK(url.body == R"({"value":"about:blank"})");
  CHECK(httpRequest(host.port(), "POST", "/session/" + id + "/url", R"({"url":"x"})").status ==
        200);
  CHECK(httpRequest(host.port(), "GET", "/session/" + id + "/url").body ==
        R"({"value":"navigated"})");
  HttpAnswer echo = httpRequest(host.port(), "POST", "/session/" + id + "/echo", R"({"a":[1,2]})");
  CHECK(echo.body == R"({"value":{"a":[1,2]}})");
  CHECK(isW3cError(httpRequest(host.port(), "GET", "/session/" + id + "/source"), 404,
                   "unknown command"));
  CHECK(isW3cError(httpRequest(host.port(), "POST", "/session/" + id + "/title"), 405,
                   "unknown method"));

  HttpAnswer deleted = httpRequest(host.port(), "DELETE", "/session/" + id);
  CHECK(deleted.status == 200);
  CHECK(deleted.body == R"({"value":null})");
  CHECK(isW3cError(httpRequest(host.port(), "GET", "/session/" + id + "/url"), 404,
                   "invalid session id"));
}

TEST_CASE("http: a launch failure is session not created with the plugin's reason") {
  HostProcess host = startHost();
  HttpAnswer answer =
      httpRequest(host.port(), "POST", "/session",
                  R"({"capabilities":{"alwaysMatch":{"browserName":"fake","fake:fail":true}}})");
  CHECK(isW3cError(answer, 500, "session not created"));
  CHECK(answer.body.find("fake was asked to fail") != std::string::npos);
}

TEST_CASE("http: a body over --max-body-size is refused with a W3C error") {
  HostProcess host(WDHOST_BINARY, {"--plugin-dir", WDHOST_FIXTURE_DIR, "--max-body-size", "2048"});
  std::string big =
      R"({"capabilities":{"alwaysMatch":{"x:pad":")" + std::string(4096, 'a') + "\"}}}";
  HttpAnswer answer = httpRequest(host.port(), "POST", "/session", big);
  CHECK(isW3cError(answer, 400, "invalid argument"));
  CHECK(answer.body.find("--max-body-size") != std::string::npos);
}
