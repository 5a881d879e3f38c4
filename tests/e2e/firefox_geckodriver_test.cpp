// geckodriver mode through the real host, against a fake geckodriver (a small Python HTTP
// server that records its argv and the New Session body) and a fake Firefox that only prints
// its version: what the plugin launches and sends, and that the host relays to the driver.
#include "support/host_process.h"

#include <cstdlib>
#include <doctest/doctest.h>
#include <fstream>
#include <rapidjson/document.h>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

using namespace wdhtest;

namespace {

const char* kFakeGeckodriver = R"PY(#!/usr/bin/python3
import http.server, json, sys
RECORD = sys.argv[0] + ".record"
args = sys.argv[1:]
if args == ["--version"]:
    print("geckodriver 0.99.0 (fake)")
    sys.exit(0)
def log(kind, value):
    with open(RECORD, "a") as out:
        out.write(json.dumps({kind: value}) + "\n")
log("argv", args)
port = int(args[args.index("--port") + 1])
class Handler(http.server.BaseHTTPRequestHandler):
    def reply(self, value):
        body = json.dumps({"value": value}, separators=(",", ":")).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        if self.path == "/status":
            self.reply({"ready": True, "message": ""})
        else:
            self.reply("fake title")
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode()
        if self.path == "/session":
            log("newSession", json.loads(body))
            self.reply({"sessionId": "fake-1", "capabilities": {
                "browserName": "firefox", "browserVersion": "153.0.1", "platformName": "linux",
                "userAgent": "FakeFox/1"}})
        else:
            self.reply(None)
    def do_DELETE(self):
        log("delete", self.path)
        self.reply(None)
    def log_message(self, *unused):
        pass
http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
)PY";

const char* kFakeFirefox = "#!/bin/sh\necho 'Mozilla Firefox 153.0.1esr'\n";

void writeExecutable(const std::string& path, const char* text) {
  std::ofstream(path) << text;
  REQUIRE(chmod(path.c_str(), 0755) == 0);
}

// The record file's lines, parsed.
std::vector<rapidjson::Document> readRecord(const std::string& path) {
  std::vector<rapidjson::Document> lines;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    rapidjson::Document doc;
    doc.Parse(line.c_str());
    REQUIRE(doc.IsObject());
    lines.push_back(std::move(doc));
  }
  return lines;
}

// The value that follows `flag` in argv, "" when absent.
std::string after(const rapidjson::Value& argv, const std::string& flag, unsigned offset = 1) {
  for (unsigned i = 0; i + offset < argv.Size(); ++i)
    if (flag == argv[i].GetString())
      return argv[i + offset].GetString();
  return "";
}

} // namespace

TEST_CASE("e2e firefox: geckodriver mode launches the driver and completes moz:firefoxOptions") {
  char dirTemplate[] = "/tmp/wdhost-ff-gecko-XXXXXX";
  REQUIRE(mkdtemp(dirTemplate) != nullptr);
  std::string dir = dirTemplate;
  std::string driver = dir + "/geckodriver";
  std::string firefox = dir + "/firefox";
  writeExecutable(driver, kFakeGeckodriver);
  writeExecutable(firefox, kFakeFirefox);
  {
    HostProcess host(WDHOST_BINARY,
                     {"--plugin", "firefox", "--plugin-option", "firefox.driver=" + driver,
                      "--plugin-option", "firefox.binary=" + firefox});
    HttpAnswer status = httpRequest(host.port(), "GET", "/status");
    CHECK_MESSAGE(status.body.find("geckodriver") != std::string::npos, status.body);

    HttpAnswer created = httpRequest(
        host.port(), "POST", "/session",
        R"({"capabilities":{"alwaysMatch":{"browserName":"firefox","moz:firefoxOptions":{"prefs":{"a.b":1},"args":["-private"]}}}})");
    REQUIRE_MESSAGE(created.status == 200, created.body << "\n" << host.log());
    rapidjson::Document doc;
    doc.Parse(created.body.c_str());
    CHECK(std::string(doc["value"]["capabilities"]["userAgent"].GetString()) == "FakeFox/1");
    std::string id = doc["value"]["sessionId"].GetString();

    std::vector<rapidjson::Document> record = readRecord(driver + ".record");
    REQUIRE(record.size() == 2);
    const rapidjson::Value& argv = record[0]["argv"];
    std::string port = after(argv, "--port");
    CHECK(std::atoi(port.c_str()) > 0);
    CHECK(after(argv, "--binary") == firefox);
    CHECK(std::atoi(after(argv, "--marionette-port").c_str()) > 0);
    CHECK(std::atoi(after(argv, "--websocket-port").c_str()) > 0);
    CHECK(after(argv, "--marionette-port") != after(argv, "--websocket-port"));
    CHECK(after(argv, "--allow-hosts") == "127.0.0.1");
    CHECK(after(argv, "--allow-hosts", 2) == "localhost");
    CHECK(after(argv, "--allow-origins") == "http://127.0.0.1:" + port);

    const rapidjson::Value& always = record[1]["newSession"]["capabilities"]["alwaysMatch"];
    const rapidjson::Value& moz = always["moz:firefoxOptions"];
    CHECK(std::string(moz["binary"].GetString()) == firefox);
    REQUIRE(moz["args"].Size() == 2);
    CHECK(std::string(moz["args"][0].GetString()) == "-private");
    CHECK(std::string(moz["args"][1].GetString()) == "-headless");
    CHECK(moz["prefs"]["a.b"].GetInt() == 1);

    // Later commands are relayed to the driver's session.
    HttpAnswer title = httpRequest(host.port(), "GET", "/session/" + id + "/title");
    CHECK(title.body == R"({"value":"fake title"})");

    int hostPid = host.pid();
    CHECK(httpRequest(host.port(), "DELETE", "/session/" + id).status == 200);
    CHECK(eventually([&] { return descendantsMatching(hostPid, driver).empty(); },
                     std::chrono::seconds(10)));
    std::vector<rapidjson::Document> later = readRecord(driver + ".record");
    REQUIRE(later.size() == 3);
    CHECK(std::string(later[2]["delete"].GetString()) == "/session/fake-1");
    CHECK(host.stop() == 0);
  }
  runCommand({"/bin/rm", "-rf", dir});
}
