// End to end: the real wdhost binary with the firefox plugin drives a real headless Firefox ESR
// through the plugin's in-process Marionette bridge.
#include "support/host_process.h"
#include "support/proc_files.h"
#include "support/webdriver_client.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <string>
#include <sys/stat.h>

using namespace wdhtest;

namespace {

// The Firefox processes under `host`: not the plugin's helper, whose command line names the
// plugin when it runs isolated (WDHOST_TEST_ISOLATE=firefox).
std::vector<int> firefoxesUnder(int host) {
  std::vector<int> found;
  for (int pid : descendantsMatching(host, "firefox")) {
    std::string cmdline;
    if (readProcFile("/proc/" + std::to_string(pid) + "/cmdline", &cmdline) &&
        cmdline.find("wdhost-plugin-host") == std::string::npos)
      found.push_back(pid);
  }
  return found;
}

const char* kPage = "data:text/html,<title>Hello</title><button id='b' "
                    "onclick=\\\"document.title='clicked'\\\">press</button><input id='i'>";
const char* kElementKey = "element-6066-11e4-a52e-4f735466cecf";

// Serves one small HTML page on 127.0.0.1 (cookies need an http: origin).
class PageHandler : public Poco::Net::HTTPRequestHandler {
public:
  void handleRequest(Poco::Net::HTTPServerRequest&,
                     Poco::Net::HTTPServerResponse& response) override {
    response.setContentType("text/html; charset=utf-8");
    response.send() << "<!doctype html><title>Cookies</title><p>cookie jar</p>";
  }
};

class PageFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
  Poco::Net::HTTPRequestHandler*
  createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new PageHandler;
  }
};

class PageServer {
public:
  PageServer()
      : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)),
        server_(new PageFactory, socket_, new Poco::Net::HTTPServerParams) {
    server_.start();
  }
  ~PageServer() { server_.stopAll(true); }
  int port() const { return socket_.address().port(); }

private:
  Poco::Net::ServerSocket socket_;
  Poco::Net::HTTPServer server_;
};

rapidjson::Document parse(const std::string& body) {
  return parseJson(body);
}

std::string newFirefoxSession(const HostProcess& host, rapidjson::Document* caps) {
  return createSession(host, R"({"browserName": "firefox"})", caps);
}
} // namespace

TEST_CASE("e2e firefox: new session, navigate, find, click, type, script, cookies, screenshot") {
  HostProcess host(WDHOST_BINARY, {"--plugin", "firefox"});
  rapidjson::Document caps(rapidjson::kObjectType);
  std::string id = newFirefoxSession(host, &caps);
  CHECK(id.size() == 36);

  // The capabilities Firefox really negotiated.
  CHECK(std::string(caps["browserName"].GetString()) == "firefox");
  CHECK(std::string(caps["platformName"].GetString()) == "linux");
  REQUIRE(caps["browserVersion"].IsString());
  CHECK(std::string(caps["browserVersion"].GetString()).find('.') != std::string::npos);
  for (const char* key : {"acceptInsecureCerts", "pageLoadStrategy", "proxy", "setWindowRect",
                          "strictFileInteractability", "timeouts", "unhandledPromptBehavior",
                          "userAgent", "moz:profile"})
    CHECK_MESSAGE(caps.HasMember(key), key);
  CHECK(std::string(caps["userAgent"].GetString()).find("Firefox/") != std::string::npos);
  CHECK(caps["timeouts"]["script"].GetInt() == 30000);
  std::string profile = caps["moz:profile"].GetString();
  CHECK(pathExists(profile));

  std::string base = "/session/" + id;
  HttpAnswer nav =
      httpRequest(host.port(), "POST", base + "/url", std::string(R"({"url":")") + kPage + "\"}");
  REQUIRE_MESSAGE(nav.status == 200, nav.body);
  CHECK(nav.body == R"({"value":null})");
  CHECK(httpRequest(host.port(), "GET", base + "/title").body == R"({"value":"Hello"})");

  HttpAnswer found = httpRequest(host.port(), "POST", base + "/element",
                                 R"({"using":"css selector","value":"#b"})");
  REQUIRE_MESSAGE(found.status == 200, found.body);
  rapidjson::Document element = parse(found.body);
  std::string elementId = element["value"][kElementKey].GetString();
  CHECK(httpRequest(host.port(), "POST", base + "/element/" + elementId + "/click", "{}").status ==
        200);
  CHECK(httpRequest(host.port(), "GET", base + "/title").body == R"({"value":"clicked"})");
  CHECK(httpRequest(host.port(), "GET", base + "/element/" + elementId + "/name").body ==
        R"({"value":"button"})");

  // Type into an input and read its value back.
  rapidjson::Document input = parse(httpRequest(host.port(), "POST", base + "/element",
                                                R"({"using":"css selector","value":"#i"})")
                                        .body);
  std::string inputId = input["value"][kElementKey].GetString();
  CHECK(httpRequest(host.port(), "POST", base + "/element/" + inputId + "/value",
                    R"({"text":"typed"})")
            .status == 200);
  CHECK(httpRequest(host.port(), "GET", base + "/element/" + inputId + "/property/value").body ==
        R"({"value":"typed"})");

  HttpAnswer all = httpRequest(host.port(), "POST", base + "/elements",
                               R"({"using":"css selector","value":"button, input"})");
  CHECK(parse(all.body)["value"].Size() == 2);

  HttpAnswer missing = httpRequest(host.port(), "POST", base + "/element",
                                   R"({"using":"css selector","value":"#none"})");
  CHECK(missing.status == 404);
  CHECK(missing.body.find("no such element") != std::string::npos);

  HttpAnswer script = httpRequest(host.port(), "POST", base + "/execute/sync",
                                  R"({"script":"return arguments[0] + 1","args":[41]})");
  CHECK(script.body == R"({"value":42})");
  HttpAnswer asyncScript = httpRequest(host.port(), "POST", base + "/execute/async",
                                       R"js({"script":"arguments[0]({value: 7})","args":[]})js");
  CHECK(asyncScript.body == R"({"value":{"value":7}})");

  HttpAnswer rect = httpRequest(host.port(), "GET", base + "/window/rect");
  CHECK(rect.status == 200);
  CHECK(parse(rect.body)["value"]["width"].GetInt() > 0);

  HttpAnswer shot = httpRequest(host.port(), "GET", base + "/screenshot");
  CHECK(shot.status == 200);
  CHECK(shot.body.find("\"value\":\"iVBOR") != std::string::npos);
  HttpAnswer elementShot =
      httpRequest(host.port(), "GET", base + "/element/" + elementId + "/screenshot");
  CHECK(elementShot.body.find("\"value\":\"iVBOR") != std::string::npos);

  // Cookies on a page served over http from 127.0.0.1.
  PageServer pages;
  std::string url = "http://127.0.0.1:" + std::to_string(pages.port()) + "/";
  REQUIRE(httpRequest(host.port(), "POST", base + "/url", R"({"url":")" + url + "\"}").status ==
          200);
  CHECK(httpRequest(host.port(), "GET", base + "/title").body == R"({"value":"Cookies"})");
  HttpAnswer added = httpRequest(host.port(), "POST", base + "/cookie",
                                 R"({"cookie":{"name":"flavour","value":"oat"}})");
  CHECK_MESSAGE(added.status == 200, added.body);
  HttpAnswer named = httpRequest(host.port(), "GET", base + "/cookie/flavour");
  CHECK(named.status == 200);
  CHECK(parse(named.body)["value"]["value"] == "oat");
  HttpAnswer noCookie = httpRequest(host.port(), "GET", base + "/cookie/none");
  CHECK(noCookie.status == 404);
  CHECK(noCookie.body.find("no such cookie") != std::string::npos);
  CHECK(httpRequest(host.port(), "DELETE", base + "/cookie/flavour").status == 200);
  CHECK(httpRequest(host.port(), "GET", base + "/cookie").body == R"({"value":[]})");

  // A path Firefox has no command for.
  HttpAnswer unknown = httpRequest(host.port(), "GET", base + "/moz/nothing");
  CHECK(unknown.status == 404);
  CHECK(unknown.body.find("unknown command") != std::string::npos);

  int hostPid = host.pid();
  CHECK_FALSE(firefoxesUnder(hostPid).empty());
  HttpAnswer deleted = httpRequest(host.port(), "DELETE", base);
  CHECK(deleted.status == 200);
  CHECK(deleted.body == R"({"value":null})");
  CHECK(eventually([&] { return firefoxesUnder(hostPid).empty(); }, std::chrono::seconds(15)));
  // The teardown goes on after Delete answered; the profile goes with it.
  CHECK(eventually([&] { return !pathExists(profile); }, std::chrono::seconds(10)));
  CHECK(httpRequest(host.port(), "GET", base + "/title").status == 404);
  CHECK(host.stop() == 0);
}

TEST_CASE("e2e firefox: W3C prompts, parameters, async scripts and New Window from a popup") {
  PageServer pages;
  HostProcess host(WDHOST_BINARY, {"--plugin", "firefox"});
  rapidjson::Document caps(rapidjson::kObjectType);
  std::string base = "/session/" + newFirefoxSession(host, &caps);
  std::string origin = "http://127.0.0.1:" + std::to_string(pages.port());
  auto post = [&](const std::string& path, const std::string& body) {
    return httpRequest(host.port(), "POST", base + path, body);
  };
  REQUIRE(post("/url", "{\"url\":\"" + origin + "/a\"}").status == 200);

  // A prompt met by a command: dismissed (the default) and reported with its text as data.
  REQUIRE(
      post("/execute/async", "{\"script\":\"setTimeout(() => alert('cheese'), 0)\",\"args\":[]}")
          .status == 200);
  HttpAnswer title = httpRequest(host.port(), "GET", base + "/title");
  CHECK(title.status == 500);
  rapidjson::Document error = parse(title.body);
  CHECK(std::string(error["value"]["error"].GetString()) == "unexpected alert open");
  REQUIRE(error["value"].HasMember("data"));
  CHECK(std::string(error["value"]["data"]["text"].GetString()) == "cheese");
  CHECK(httpRequest(host.port(), "GET", base + "/alert/text").status == 404);

  // Parameters the spec rejects are invalid argument before Firefox sees them.
  auto codeOf = [&](const std::string& path, const std::string& body) {
    HttpAnswer answer = post(path, body);
    if (answer.status == 200)
      return std::string("ok");
    return std::to_string(answer.status) + " " + parse(answer.body)["value"]["error"].GetString();
  };
  CHECK(codeOf("/element", "{\"using\":\"a\",\"value\":\"p\"}") == "400 invalid argument");
  CHECK(codeOf("/element", "{\"using\":\"css selector\",\"value\":null}") ==
        "400 invalid argument");
  CHECK(codeOf("/window/new", "{\"type\":42}") == "400 invalid argument");
  CHECK(codeOf("/timeouts", "{\"script\":2.5}") == "400 invalid argument");
  CHECK(codeOf("/timeouts", "") == "400 invalid argument");
  CHECK(codeOf("/timeouts", "{\"a\":42}") == "ok");
  CHECK(codeOf("/element", "{\"using\":\"xpath\",\"value\":\"][\"}") == "400 invalid selector");

  // Script bodies that await run as async functions, in both Execute Script commands.
  CHECK(post("/execute/sync",
             "{\"script\":\"let r = await Promise.resolve('foobar'); return r;\",\"args\":[]}")
            .body == "{\"value\":\"foobar\"}");
  CHECK(post("/execute/async", "{\"script\":\"let done = arguments[0]; "
                               "done(await Promise.resolve(3));\",\"args\":[]}")
            .body == "{\"value\":3}");
  CHECK(codeOf("/execute/sync",
               "{\"script\":\"window.await = () => {}; "
               "await(Promise.reject(new Error()));\"}") == "500 javascript error");

  // New Window, type null, and from a popup window (where Marionette itself never answers).
  CHECK(codeOf("/window/new", "{\"type\":null}") == "ok");
  std::string before = httpRequest(host.port(), "GET", base + "/window/handles").body;
  REQUIRE(
      post("/execute/sync", "{\"script\":\"window.open('/pop', 'pop', 'width=300,height=300')\"}")
          .status == 200);
  rapidjson::Document handles =
      parse(httpRequest(host.port(), "GET", base + "/window/handles").body);
  std::string popup;
  for (const auto& handle : handles["value"].GetArray())
    if (before.find(handle.GetString()) == std::string::npos)
      popup = handle.GetString();
  REQUIRE(!popup.empty());
  REQUIRE(post("/window", "{\"handle\":\"" + popup + "\"}").status == 200);
  HttpAnswer fromPopup = post("/window/new", "{\"type\":\"tab\"}");
  REQUIRE_MESSAGE(fromPopup.status == 200, fromPopup.body);
  std::string created = parse(fromPopup.body)["value"]["handle"].GetString();
  CHECK(httpRequest(host.port(), "GET", base + "/window/handles").body.find(created) !=
        std::string::npos);
  CHECK(httpRequest(host.port(), "DELETE", base).status == 200);
}

TEST_CASE("e2e firefox: SIGTERM closes live sessions and leaves no process behind") {
  HostProcess host(WDHOST_BINARY, {"--plugin", "firefox"});
  rapidjson::Document caps(rapidjson::kObjectType);
  newFirefoxSession(host, &caps);
  std::string profile = caps["moz:profile"].GetString();
  std::vector<int> browsers = firefoxesUnder(host.pid());
  CHECK_FALSE(browsers.empty());
  CHECK(host.stop() == 0);
  for (int pid : browsers)
    CHECK_MESSAGE(!alive(pid), "process " << pid << " outlived the host");
  CHECK_FALSE(pathExists(profile));
}

TEST_CASE("e2e firefox: a Firefox that cannot start fails New Session with the reason") {
  HostProcess host(WDHOST_BINARY, {"--plugin", "firefox", "--allow-client-binaries"});
  HttpAnswer created = httpRequest(
      host.port(), "POST", "/session",
      R"({"capabilities": {"alwaysMatch": {"browserName": "firefox", "moz:firefoxOptions": {"binary": "/bin/false"}}}})");
  CHECK(created.status == 500);
  CHECK(created.body.find("session not created") != std::string::npos);
  CHECK(created.body.find("Firefox") != std::string::npos);
  HttpAnswer bad = httpRequest(
      host.port(), "POST", "/session",
      R"({"capabilities": {"alwaysMatch": {"browserName": "firefox", "moz:firefoxOptions": {"args": "-headless"}}}})");
  CHECK(bad.status == 400);
  CHECK(bad.body.find("invalid argument") != std::string::npos);
  CHECK(descendantsMatching(host.pid(), "/bin/false").empty());
}

TEST_CASE(
    "e2e firefox: a client's binary and env are refused, and a zipped symlink never unpacks") {
  HostProcess host(WDHOST_BINARY, {"--plugin", "firefox", "--warm-browsers", "0"});
  for (const char* options : {R"({"binary": "/bin/sh"})", R"({"env": {"LD_PRELOAD": "/x.so"}})",
                              R"({"args": ["-profile", "/root"]})"}) {
    CAPTURE(options);
    HttpAnswer refused =
        httpRequest(host.port(), "POST", "/session",
                    std::string(R"({"capabilities": {"alwaysMatch": {"browserName": "firefox", )"
                                R"("moz:firefoxOptions": )") +
                        options + "}}}");
    CHECK(refused.status == 400);
    CHECK(refused.body.find("--allow-client-binaries") != std::string::npos);
  }
  // Allowed, a profile holding user.js as a link to a file of the host is refused whole.
  HostProcess allowing(WDHOST_BINARY,
                       {"--plugin", "firefox", "--plugin-option", "firefox.mode=marionette",
                        "--allow-client-binaries", "--warm-browsers", "0"});
  const char* linkedUserJs =
      "UEsDBBQAAAAAAAAAIQCDFtyMAQAAAAEAAAAIAAAAcHJlZnMuanN4UEsDBBQAAAAAAAAAIQA64OcqGgAAABoAAAAHAAAA"
      "dXNlci5qcy90bXAvd2Rob3N0LXByb2ZpbGUtdGFyZ2V0UEsBAhQDFAAAAAAAAAAhAIMW3IwBAAAAAQAAAAgAAAAAAAAA"
      "AAAAAKSBAAAAAHByZWZzLmpzUEsBAhQDFAAAAAAAAAAhADrg5yoaAAAAGgAAAAcAAAAAAAAAAAAAAP+hJwAAAHVzZXIu"
      "anNQSwUGAAAAAAIAAgBrAAAAZgAAAAAA";
  HttpAnswer linked =
      httpRequest(allowing.port(), "POST", "/session",
                  std::string(R"({"capabilities": {"alwaysMatch": {"browserName": "firefox", )"
                              R"("moz:firefoxOptions": {"profile": ")") +
                      linkedUserJs + "\"}}}}");
  // launch() fails, so New Session is "session not created", with the plugin's reason.
  CHECK(linked.status == 500);
  CHECK(linked.body.find("symbolic link") != std::string::npos);
  CHECK_FALSE(pathExists("/tmp/wdhost-profile-target"));
  CHECK(firefoxesUnder(allowing.pid()).empty());
}

TEST_CASE("e2e firefox: a session whose Firefox died is invalid at once and deletes cleanly") {
  HostProcess host(WDHOST_BINARY, {"--plugin", "firefox"});
  rapidjson::Document caps(rapidjson::kObjectType);
  std::string id = newFirefoxSession(host, &caps);
  std::string profile = caps["moz:profile"].GetString();
  std::vector<int> browsers = firefoxesUnder(host.pid());
  REQUIRE_FALSE(browsers.empty());
  for (int pid : browsers)
    kill(pid, SIGKILL);
  REQUIRE(eventually(
      [&] {
        for (int pid : browsers)
          if (alive(pid))
            return false;
        return true;
      },
      std::chrono::seconds(10)));
  // The plugin answers that Firefox is gone (or the host already ended the session because its
  // process exited): invalid session id, for this command and the ones after it.
  for (int i = 0; i < 3; ++i) {
    HttpAnswer title = httpRequest(host.port(), "GET", "/session/" + id + "/title");
    CHECK_MESSAGE(title.status == 404, title.body);
    CHECK(title.body.find("invalid session id") != std::string::npos);
  }
  CHECK(noSessionsWithin(host.port(), std::chrono::seconds(10)));
  HttpAnswer deleted = httpRequest(host.port(), "DELETE", "/session/" + id);
  CHECK_MESSAGE((deleted.status == 200 || deleted.status == 404), deleted.body);
  CHECK(eventually([&] { return !pathExists(profile); }, std::chrono::seconds(10)));
  CHECK(host.stop() == 0);
}
