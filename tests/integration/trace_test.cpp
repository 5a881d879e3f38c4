// Traces through the real binary with the fake plugin (no browser: its pictures are the fake's
// screenshots): every command kept in order with its name, status and error, typed text kept
// but a password's left out everywhere, the bounds, on-failure, the viewer file's escaping, and
// bad input. The trace's threads run here under ASan and TSan too.
#include "support/fake_host.h"
#include "support/host_process.h"
#include "support/scratch_dir.h"

#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <string>
#include <vector>

using namespace wdhtest;

namespace {

const char* kTraced =
    R"({"capabilities":{"alwaysMatch":{"browserName":"fake","wdhost:trace":"on"}}})";

// The trace of session `id` once it is complete, parsed.
rapidjson::Document completeTrace(const HostProcess& host, const std::string& id) {
  rapidjson::Document doc;
  bool done = eventually(
      [&] {
        HttpAnswer answer = httpRequest(host.port(), "GET", "/wdhost/traces/" + id);
        return answer.status == 200 && !doc.Parse(answer.body.c_str()).HasParseError() &&
               doc.IsObject() && doc["value"]["complete"].GetBool();
      },
      std::chrono::seconds(20));
  REQUIRE(done);
  return doc;
}

std::string command(const HostProcess& host, const std::string& id, const char* method,
                    const std::string& path, const std::string& body = {}) {
  return httpRequest(host.port(), method, "/session/" + id + path, body).body;
}

} // namespace

TEST_CASE("trace: every command in order, a password left out, pictures, url and title") {
  ScratchDir dir("trace");
  HostProcess host = startFakeHost({"--traces-dir", dir.dir});
  HttpAnswer created = httpRequest(host.port(), "POST", "/session", kTraced);
  REQUIRE(created.status == 200);
  CHECK(created.body.find("/wdhost/traces/") != std::string::npos);
  std::string id = sessionIdOf(created.body);
  command(host, id, "POST", "/url", R"({"url":"http://example.test/"})");
  command(host, id, "POST", "/element/name/value", R"({"text":"visible name"})");
  command(host, id, "POST", "/element/pw/value", R"({"text":"s3cret-Pass-word"})");
  command(host, id, "POST", "/echo", R"({"said":"s3cret-Pass-word and </script><script>x();"})");
  command(host, id, "GET", "/no/such/command");
  command(host, id, "GET", "/url");
  REQUIRE(httpRequest(host.port(), "DELETE", "/session/" + id).status == 200);

  rapidjson::Document doc = completeTrace(host, id);
  const rapidjson::Value& trace = doc["value"];
  CHECK(std::string(trace["browser"].GetString()) == "fake");
  CHECK(std::string(trace["endedBy"].GetString()) == "deleted");
  CHECK(std::string(trace["framesFrom"].GetString()) == "screenshots");
  const rapidjson::Value& commands = trace["commands"];
  REQUIRE(commands.Size() == 6);
  std::vector<std::string> names;
  for (const auto& c : commands.GetArray())
    names.push_back(c["name"].GetString());
  CHECK(names == std::vector<std::string>{"Navigate To", "Element Send Keys", "Element Send Keys",
                                          "", "", "Get Current URL"});
  CHECK(commands[0]["status"].GetInt() == 200);
  CHECK(commands[0]["after"].GetUint64() > 0); // a picture after a page-changing command
  CHECK(std::string(commands[0]["url"].GetString()) == "navigated");
  CHECK(std::string(commands[0]["title"].GetString()) == "Fake page");
  CHECK(commands[2]["before"].GetUint64() > 0);
  CHECK(std::string(commands[1]["request"].GetString()).find("visible name") != std::string::npos);
  CHECK(std::string(commands[2]["request"].GetString()).find("[redacted]") != std::string::npos);
  CHECK(std::string(commands[4]["error"].GetString()) == "unknown command");
  CHECK(commands[4]["status"].GetInt() == 404);
  CHECK(trace["failed"].GetBool());
  CHECK(trace["frames"].Size() >= 1);
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  trace.Accept(writer);
  std::string json = buffer.GetString();
  CHECK(json.find("s3cret-Pass-word") == std::string::npos); // also where the page echoed it

  // The viewer file: the trace inside cannot end its script element.
  HttpAnswer html = httpRequest(host.port(), "GET", "/wdhost/traces/" + id + "?format=html");
  REQUIRE(html.status == 200);
  CHECK(html.contentType.find("text/html") == 0);
  CHECK(html.body.find("</script><script>x();") == std::string::npos);
  CHECK(html.body.find("s3cret-Pass-word") == std::string::npos);
  CHECK(html.body.find("\"sessionId\":\"" + id + "\"") != std::string::npos);

  // Listed, then deleted.
  HttpAnswer list = httpRequest(host.port(), "GET", "/wdhost/traces");
  CHECK(list.body.find(id) != std::string::npos);
  CHECK(httpRequest(host.port(), "DELETE", "/wdhost/traces/" + id).status == 200);
  CHECK(httpRequest(host.port(), "GET", "/wdhost/traces/" + id).status == 404);
}

TEST_CASE("trace: the oldest pictures go past --trace-max-frames, and the trace says so") {
  ScratchDir dir("trace-bounds");
  HostProcess host =
      startFakeHost({"--traces-dir", dir.dir, "--trace", "on", "--trace-max-frames", "3"});
  HttpAnswer created = httpRequest(host.port(), "POST", "/session", kFakeNewSession);
  REQUIRE(created.status == 200);
  std::string id = sessionIdOf(created.body);
  for (int i = 0; i < 8; ++i)
    command(host, id, "POST", "/url", R"({"url":"http://example.test/"})");
  REQUIRE(httpRequest(host.port(), "DELETE", "/session/" + id).status == 200);
  rapidjson::Document doc = completeTrace(host, id);
  CHECK(doc["value"]["commands"].Size() == 8);
  CHECK(doc["value"]["frames"].Size() == 3);
  CHECK(doc["value"]["droppedFrames"].GetUint64() == 5);
}

TEST_CASE("trace: on-failure keeps a failed session's trace and leaves out a passed one's") {
  ScratchDir dir("trace-failure");
  HostProcess host = startFakeHost({"--traces-dir", dir.dir, "--trace", "on-failure"});
  auto run = [&](const char* eventType) {
    HttpAnswer created = httpRequest(host.port(), "POST", "/session", kFakeNewSession);
    REQUIRE(created.status == 200);
    std::string id = sessionIdOf(created.body);
    command(host, id, "POST", "/url", R"({"url":"http://example.test/"})");
    command(host, id, "POST", "/se/event",
            std::string(R"({"eventType":")") + eventType + R"(","payload":{}})");
    REQUIRE(httpRequest(host.port(), "DELETE", "/session/" + id).status == 200);
    return id;
  };
  std::string failed = run("test:failed");
  std::string passed = run("test:passed");
  CHECK(std::string(completeTrace(host, failed)["value"]["outcome"].GetString()) == "failed");
  // The passed one is written nowhere once its trace completed (listed nowhere either).
  CHECK(eventually(
      [&] {
        return httpRequest(host.port(), "GET", "/wdhost/traces").body.find(passed) ==
               std::string::npos;
      },
      std::chrono::seconds(10)));
  CHECK(httpRequest(host.port(), "GET", "/wdhost/traces/" + passed).status == 404);
}

TEST_CASE("trace: bad input gets a W3C error that says what to send") {
  ScratchDir dir("trace-bad");
  HostProcess host = startFakeHost({"--traces-dir", dir.dir});
  HttpAnswer bad = httpRequest(
      host.port(), "POST", "/session",
      R"({"capabilities":{"alwaysMatch":{"browserName":"fake","wdhost:trace":"sometimes"}}})");
  CHECK(bad.status == 400);
  CHECK(bad.body.find("invalid argument") != std::string::npos);
  CHECK(bad.body.find("on-failure") != std::string::npos);
  bad = httpRequest(
      host.port(), "POST", "/session",
      R"({"capabilities":{"alwaysMatch":{"browserName":"fake","wdhost:trace":{"redact":1}}}})");
  CHECK(bad.status == 400);
  CHECK(httpRequest(host.port(), "GET", "/wdhost/traces/..%2F..%2Fetc").status == 400);
  CHECK(httpRequest(host.port(), "GET", "/wdhost/traces/.hidden").status == 400);
  CHECK(httpRequest(host.port(), "GET", "/wdhost/traces/a%20b").status == 400);
  CHECK(httpRequest(host.port(), "GET", "/wdhost/traces/unknown-session").status == 404);
  CHECK(httpRequest(host.port(), "POST", "/wdhost/traces").status == 405);
  // A session that did not ask is not traced.
  HttpAnswer plain = httpRequest(host.port(), "POST", "/session", kFakeNewSession);
  REQUIRE(plain.status == 200);
  CHECK(plain.body.find("wdhost:traceUrl") == std::string::npos);
  std::string id = sessionIdOf(plain.body);
  CHECK(httpRequest(host.port(), "GET", "/wdhost/traces/" + id).status == 404);
}
