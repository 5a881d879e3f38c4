// The real wdhost binary refuses client capabilities that reach the host's programs and files
// (what the fake plugin, like any third-party plugin, declares as guarded in describe()), with
// 400 invalid argument naming the capability, and accepts them with --allow-client-binaries.
#include "support/host_process.h"

#include <doctest/doctest.h>

using namespace wdhtest;

namespace {

HostProcess startHost(bool allow) {
  std::vector<std::string> args = {"--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin",
                                   "fake",         "--warm-browsers",  "0"};
  if (allow)
    args.emplace_back("--allow-client-binaries");
  return HostProcess(WDHOST_BINARY, args);
}

std::string newSessionBody(const std::string& chromeOptions) {
  return R"({"capabilities":{"alwaysMatch":{"browserName":"fake","goog:chromeOptions":)" +
         chromeOptions + "}}}";
}

const char* const kBinary = R"({"binary":"/bin/sh"})";
const char* const kCmdPrefix = R"({"args":["--headless=new","--renderer-cmd-prefix=/bin/sh"]})";

} // namespace

TEST_CASE("client capabilities: a binary and a command prefix are refused by default") {
  HostProcess host = startHost(false);
  HttpAnswer binary = httpRequest(host.port(), "POST", "/session", newSessionBody(kBinary));
  CHECK(binary.status == 400);
  CHECK(binary.body.find(R"("error":"invalid argument")") != std::string::npos);
  CHECK(binary.body.find("goog:chromeOptions.binary") != std::string::npos);
  CHECK(binary.body.find("--allow-client-binaries") != std::string::npos);

  HttpAnswer prefix = httpRequest(host.port(), "POST", "/session", newSessionBody(kCmdPrefix));
  CHECK(prefix.status == 400);
  CHECK(prefix.body.find(R"("error":"invalid argument")") != std::string::npos);
  CHECK(prefix.body.find(R"(goog:chromeOptions.args \"--renderer-cmd-prefix=/bin/sh\")") !=
        std::string::npos);

  // In a firstMatch entry too, even when an earlier entry would have matched.
  HttpAnswer first =
      httpRequest(host.port(), "POST", "/session",
                  R"({"capabilities":{"alwaysMatch":{"browserName":"fake"},"firstMatch":[{},)"
                  R"({"goog:chromeOptions":{"args":["--user-data-dir","/home"]}}]}})");
  CHECK(first.status == 400);
  CHECK(first.body.find("--user-data-dir") != std::string::npos);

  // Harmless options still start a session.
  HttpAnswer fine = httpRequest(host.port(), "POST", "/session",
                                newSessionBody(R"({"args":["--headless=new","--lang=de"]})"));
  REQUIRE(fine.status == 200);
  CHECK(httpRequest(host.port(), "DELETE", "/session/" + sessionIdOf(fine.body)).status == 200);
}

TEST_CASE("client capabilities: --allow-client-binaries lets them through") {
  HostProcess host = startHost(true);
  CHECK(host.log().find("--allow-client-binaries") != std::string::npos);
  for (const char* options : {kBinary, kCmdPrefix}) {
    CAPTURE(options);
    HttpAnswer created = httpRequest(host.port(), "POST", "/session", newSessionBody(options));
    REQUIRE(created.status == 200);
    CHECK(httpRequest(host.port(), "DELETE", "/session/" + sessionIdOf(created.body)).status ==
          200);
  }
}
