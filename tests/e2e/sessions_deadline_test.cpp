// End to end: one deadline bounds a whole sessions-API request, however its browserActions wait,
// nest or repeat (review T4), and a client that hangs up stops its request, in real Chromium.
#include "e2e/sessions_api_calls.h"
#include "support/host_process.h"
#include "support/test_site.h"

#include <chrono>
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

using namespace wdhtest;
using Clock = std::chrono::steady_clock;

TEST_CASE("sessions deadline: waits, nested whiles, scrolls and ignored errors end at timeout") {
  TestSite site;
  HostProcess host(WDHOST_BINARY, {"--plugin", "chrome", "--allow-target", site.authority()});
  REQUIRE(textOf(apiCall(host, R"({"cmd":"sessions.create","session":"d"})"), "data") == "success");
  std::string start = R"({"cmd":"request.get","session":"d","timeout":2500,"url":")" +
                      site.url("/page") + R"(","browserActions":)";
  // Each of these would run for minutes (hours nested) without the request's deadline.
  for (const std::string& actions : {
           std::string(R"([{"type":"wait","wait":100000}])"),
           std::string(R"([{"type":"while","condition":"true","maxAttempts":100,"then":[)"
                       R"({"type":"while","condition":"true","maxAttempts":100,"then":[)"
                       R"({"type":"while","condition":"true","maxAttempts":100,"then":[)"
                       R"({"type":"wait","wait":1000}]}]}]}])"),
           std::string(R"([{"type":"while","condition":"true","maxAttempts":100,"then":[)"
                       R"({"type":"while","condition":"true","maxAttempts":100,"then":[)"
                       R"({"type":"execute_js","code":"1","dontReturnValue":true}]}]}])"),
           std::string(R"([{"type":"scroll","repeat":100,"delayMs":100000}])"),
           std::string(R"([{"type":"if","condition":"true","then":[{"type":"if","condition":)"
                       R"("true","then":[{"type":"wait_for_selector","cssSelector":"#never",)"
                       R"("timeout":100000}]}]}])"),
           std::string(
               R"([{"type":"wait_for_selector","cssSelector":"#never","timeout":100000,)"
               R"("ignoreErrors":true},{"type":"wait","wait":100000,"ignoreErrors":true}])"),
       }) {
    INFO(actions);
    int status = 0;
    // Ended by the request's own 2.5 s deadline, which the answer names (not by any action's).
    rapidjson::Document answer = apiCall(host, start + actions + "}", &status);
    CHECK(status == 504);
    CHECK(textOf(answer, "code") == "request_timeout");
    CHECK(textOf(answer, "error").find("timeout of 2500 ms") != std::string::npos);
  }
  // A request within its budget is untouched; a budget out of range is refused.
  rapidjson::Document fine = apiCall(host, start + R"([{"type":"wait","wait":200}]})");
  CHECK_MESSAGE(textOf(fine, "data") == "success", textOf(fine, "error"));
  int status = 0;
  apiCall(host,
          R"({"cmd":"request.get","session":"d","timeout":500,"url":")" + site.url("/") + "\"}",
          &status);
  CHECK(status == 400);
}

TEST_CASE("sessions deadline: a client that hangs up stops its request") {
  TestSite site;
  HostProcess host(WDHOST_BINARY, {"--plugin", "chrome", "--allow-target", site.authority()});
  REQUIRE(textOf(apiCall(host, R"({"cmd":"sessions.create","session":"g"})"), "data") == "success");
  std::string body = R"({"cmd":"request.get","session":"g","timeout":120000,"url":")" +
                     site.url("/page") + R"(","browserActions":[{"type":"wait","wait":100000}]})";
  int fd = connectTo(host.port());
  REQUIRE(fd >= 0);
  std::string request = "POST /api/v1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                        "application/json\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\n\r\n" + body;
  REQUIRE(send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(request.size()));
  // Once the wait has begun, the client goes away.
  CHECK(eventually([&] { return site.requests() > 0; }, std::chrono::seconds(30)));
  struct timespec pause = {1, 0};
  nanosleep(&pause, nullptr);
  close(fd);
  // Stopped for the hang-up (the log says why), long before its 100 s wait or 120 s timeout.
  CHECK(eventually(
      [&] { return host.log().find("the client closed its connection") != std::string::npos; },
      std::chrono::seconds(60)));
  // The session serves the next request at once.
  rapidjson::Document next =
      apiCall(host, R"({"cmd":"request.get","session":"g","url":")" + site.url("/page") + "\"}");
  CHECK_MESSAGE(textOf(next, "data") == "success", textOf(next, "error"));
}
