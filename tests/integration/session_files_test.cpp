// Grid's managed files through the real binary with the fake plugin (which "downloads" by
// writing into the directory the host gave it, as a browser would).
#include "support/host_process.h"

#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>

using namespace wdhtest;

namespace {

const char* kWithDownloads =
    R"({"capabilities":{"alwaysMatch":{"browserName":"fake","se:downloadsEnabled":true}}})";
const char* kPlain = R"({"capabilities":{"alwaysMatch":{"browserName":"fake"}}})";

HostProcess startHost() {
  return HostProcess(WDHOST_BINARY, {"--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin", "fake"});
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The string value of `key` in a flat JSON answer, or "".
std::string stringField(const std::string& body, const std::string& key) {
  std::size_t at = body.find("\"" + key + "\":\"");
  if (at == std::string::npos)
    return "";
  at += key.size() + 4;
  return body.substr(at, body.find('"', at) - at);
}

} // namespace

TEST_CASE("session files: list, fetch and delete what the session downloaded") {
  HostProcess host = startHost();
  HttpAnswer created = httpRequest(host.port(), "POST", "/session", kWithDownloads);
  REQUIRE(created.status == 200);
  CHECK(contains(created.body, "\"se:downloadsEnabled\":true"));
  CHECK_FALSE(contains(created.body, "downloadDir"));
  std::string base = "/session/" + sessionIdOf(created.body);

  CHECK(httpRequest(host.port(), "GET", base + "/se/files").body == R"({"value":{"names":[]}})");
  REQUIRE(httpRequest(host.port(), "POST", base + "/fake/download",
                      R"({"name":"report.txt","text":"quarterly"})")
              .status == 200);
  CHECK(httpRequest(host.port(), "GET", base + "/se/files").body ==
        R"({"value":{"names":["report.txt"]}})");
  HttpAnswer fetched =
      httpRequest(host.port(), "POST", base + "/se/files", R"({"name":"report.txt"})");
  CHECK(fetched.status == 200);
  CHECK(contains(fetched.body, "\"filename\":\"report.txt\""));
  CHECK(stringField(fetched.body, "contents").rfind("UEsDB", 0) == 0); // "PK\3\4", a zip

  HttpAnswer traversal =
      httpRequest(host.port(), "POST", base + "/se/files", R"({"name":"../../etc/passwd"})");
  CHECK(traversal.status == 400);
  CHECK(contains(traversal.body, "\"invalid argument\""));

  CHECK(httpRequest(host.port(), "DELETE", base + "/se/files").status == 200);
  CHECK(httpRequest(host.port(), "GET", base + "/se/files").body == R"({"value":{"names":[]}})");
  CHECK(httpRequest(host.port(), "DELETE", base).status == 200);
  CHECK(httpRequest(host.port(), "GET", base + "/se/files").status == 404);
}

TEST_CASE("session files: an upload is readable by the browser and goes with the session") {
  HostProcess host = startHost();
  std::string base =
      "/session/" + sessionIdOf(httpRequest(host.port(), "POST", "/session", kPlain).body);
  // A zip holding "hello.txt" = "hi\n", as Selenium's file detector sends it.
  const char* zip = "UEsDBBQAAAAIABRQfl16em/tBQAAAAMAAAAJAAAAaGVsbG8udHh0y8jkAgBQSwECFAMUAAAACAAU"
                    "UH5denpv7QUAAAADAAAACQAAAAAAAAAAAAAAgAEAAAAAaGVsbG8udHh0UEsFBgAAAAABAAEA"
                    "NwAAACwAAAAAAA==";
  HttpAnswer uploaded = httpRequest(host.port(), "POST", base + "/se/file",
                                    std::string("{\"file\":\"") + zip + "\"}");
  REQUIRE_MESSAGE(uploaded.status == 200, uploaded.body);
  std::string path = stringField(uploaded.body, "value");
  CHECK(std::filesystem::path(path).filename() == "hello.txt");
  CHECK(std::filesystem::exists(path));

  HttpAnswer bad = httpRequest(host.port(), "POST", base + "/se/file", R"({"file":"AAAA"})");
  CHECK(bad.status == 400);
  CHECK(contains(bad.body, "zip"));
  // Without se:downloadsEnabled there is no download directory to serve.
  HttpAnswer none = httpRequest(host.port(), "GET", base + "/se/files");
  CHECK(none.status == 500);
  CHECK(contains(none.body, "\"unsupported operation\""));

  REQUIRE(httpRequest(host.port(), "DELETE", base).status == 200);
  CHECK(eventually([&] { return !std::filesystem::exists(path); }, std::chrono::seconds(10)));
}

TEST_CASE("session files: se:downloadsEnabled must be a boolean") {
  HostProcess host = startHost();
  HttpAnswer answer = httpRequest(
      host.port(), "POST", "/session",
      R"({"capabilities":{"alwaysMatch":{"browserName":"fake","se:downloadsEnabled":"yes"}}})");
  CHECK(answer.status == 400);
  CHECK(contains(answer.body, "se:downloadsEnabled"));
}
