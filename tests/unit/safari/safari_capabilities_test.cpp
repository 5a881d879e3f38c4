#include "safari_capabilities.h"
#include "webdriver/client_capability_policy.h"

#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <wdhost/plugin.hpp>

using namespace wdhost::safari;

namespace {

rapidjson::Document parse(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.c_str(), json.size());
  REQUIRE_MESSAGE(!doc.HasParseError(), json);
  return doc;
}

rapidjson::Document alwaysMatch(const std::string& body) {
  rapidjson::Document doc = parse(body);
  REQUIRE(doc["capabilities"]["firstMatch"].IsArray());
  rapidjson::Document caps;
  caps.CopyFrom(doc["capabilities"]["alwaysMatch"], caps.GetAllocator());
  return caps;
}

std::vector<std::string> strings(const rapidjson::Value& array) {
  std::vector<std::string> out;
  for (const auto& item : array.GetArray())
    out.emplace_back(item.GetString());
  return out;
}

std::string invalidReason(const char* json, bool macos = false) {
  try {
    validateCapabilities(parse(json), macos);
  } catch (const wdhost::Error& e) {
    CHECK(e.code() == "invalid argument");
    return e.what();
  }
  return "";
}

} // namespace

TEST_CASE("safari: WebKitGTK capabilities completed with MiniBrowser and --automation") {
  rapidjson::Document caps = alwaysMatch(webkitNewSessionBody(
      R"({"browserName":"safari","browserVersion":"2.50","platformName":"linux",)"
      R"("safari:automaticInspection":false,"pageLoadStrategy":"eager"})",
      Backend::WebKitGtk, "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser"));
  for (const char* gone : {"browserName", "browserVersion", "platformName",
                           "safari:automaticInspection", "wpe:browserOptions"})
    CHECK_MESSAGE(!caps.HasMember(gone), gone);
  CHECK(std::string(caps["pageLoadStrategy"].GetString()) == "eager");
  const auto& options = caps["webkitgtk:browserOptions"];
  CHECK(std::string(options["binary"].GetString()) ==
        "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser");
  CHECK(strings(options["args"]) == std::vector<std::string>{"--automation"});
  CHECK(options["useOverlayScrollbars"].GetBool());
}

TEST_CASE("safari: the client's browser options are kept and --automation added once") {
  rapidjson::Document caps = alwaysMatch(webkitNewSessionBody(
      R"({"webkitgtk:browserOptions":{"binary":"/opt/MB","args":["--enable-webgl=false"],)"
      R"("useOverlayScrollbars":false,"certificates":[{"host":"a","certificateFile":"/c"}]}})",
      Backend::WebKitGtk, "/usr/lib/MiniBrowser"));
  const auto& options = caps["webkitgtk:browserOptions"];
  CHECK(std::string(options["binary"].GetString()) == "/opt/MB");
  CHECK(strings(options["args"]) ==
        std::vector<std::string>{"--enable-webgl=false", "--automation"});
  CHECK_FALSE(options["useOverlayScrollbars"].GetBool());
  CHECK(options["certificates"].Size() == 1);

  caps = alwaysMatch(webkitNewSessionBody(
      R"({"webkitgtk:browserOptions":{"args":["--automation"]}})", Backend::WebKitGtk, "/mb"));
  CHECK(strings(caps["webkitgtk:browserOptions"]["args"]) ==
        std::vector<std::string>{"--automation"});
}

TEST_CASE("safari: WPE capabilities completed with cog, --automation and headless platform") {
  rapidjson::Document caps =
      alwaysMatch(webkitNewSessionBody(R"({"browserName":"wpe"})", Backend::Wpe, "/usr/bin/cog"));
  const auto& options = caps["wpe:browserOptions"];
  CHECK(std::string(options["binary"].GetString()) == "/usr/bin/cog");
  CHECK(strings(options["args"]) ==
        std::vector<std::string>{"--automation", "--platform=headless"});
  CHECK_FALSE(options.HasMember("useOverlayScrollbars"));
  CHECK_FALSE(caps.HasMember("webkitgtk:browserOptions"));

  caps = alwaysMatch(webkitNewSessionBody(R"({"wpe:browserOptions":{"args":["-P","wl"]}})",
                                          Backend::Wpe, "/usr/bin/cog"));
  CHECK(strings(caps["wpe:browserOptions"]["args"]) ==
        std::vector<std::string>{"-P", "wl", "--automation"});
}

TEST_CASE("safari: browser names and vendor options choose the WebKit port") {
  CHECK(backendRequest(parse(R"({"browserName":"safari"})")).backend.empty());
  CHECK(backendRequest(parse(R"({"browserName":"MiniBrowser"})")).backend == "webkitgtk");
  CHECK(backendRequest(parse(R"({"browserName":"webkitgtk"})")).backend == "webkitgtk");
  CHECK(backendRequest(parse(R"({"browserName":"cog"})")).backend == "wpe");
  CHECK(backendRequest(parse(R"({"wpe:browserOptions":{}})")).backend == "wpe");
  BackendRequest request =
      backendRequest(parse(R"({"webkitgtk:browserOptions":{},"browserVersion":"2.50"})"));
  CHECK(request.backend == "webkitgtk");
  CHECK(request.version == "2.50");

  CHECK(servesBrowserName(parse(R"({})"), false));
  CHECK(servesBrowserName(parse(R"({"browserName":"safari"})"), true));
  CHECK(servesBrowserName(parse(R"({"browserName":"wpe"})"), false));
  CHECK_FALSE(servesBrowserName(parse(R"({"browserName":"wpe"})"), true));
  CHECK_FALSE(servesBrowserName(parse(R"({"browserName":"chrome"})"), false));
}

TEST_CASE("safari: malformed or contradictory vendor options are invalid arguments") {
  CHECK(invalidReason(R"({"webkitgtk:browserOptions":{"args":"--x"}})").find("args") !=
        std::string::npos);
  CHECK(invalidReason(R"({"webkitgtk:browserOptions":[]})").find("object") != std::string::npos);
  CHECK(invalidReason(R"({"webkitgtk:browserOptions":{"binary":""}})").find("binary") !=
        std::string::npos);
  CHECK(invalidReason(R"({"webkitgtk:browserOptions":{"useOverlayScrollbars":"yes"}})")
            .find("useOverlayScrollbars") != std::string::npos);
  CHECK(invalidReason(R"({"webkitgtk:browserOptions":{"certificates":[{"host":"a"}]}})")
            .find("certificates") != std::string::npos);
  CHECK(invalidReason(R"({"wpe:browserOptions":{"args":[1]}})").find("args") != std::string::npos);
  CHECK(invalidReason(R"({"wpe:browserOptions":{},"webkitgtk:browserOptions":{}})") != "");
  CHECK(invalidReason(R"({"browserName":"cog","webkitgtk:browserOptions":{}})") != "");
  CHECK(invalidReason(R"({"safari:automaticProfiling":true})").empty());
  // On macOS the Linux ports' options cannot be honoured.
  CHECK(invalidReason(R"({"webkitgtk:browserOptions":{}})", true).find("Linux") !=
        std::string::npos);
  CHECK(invalidReason(R"({"safari:automaticInspection":true})", true).empty());
}

TEST_CASE("safari: safaridriver body forwards safari: capabilities") {
  rapidjson::Document caps = alwaysMatch(safariNewSessionBody(
      R"({"browserName":"safari","browserVersion":"17","safari:automaticInspection":true,)"
      R"("safari:useSimulator":false,"acceptInsecureCerts":false})"));
  CHECK(std::string(caps["browserName"].GetString()) == "safari");
  CHECK_FALSE(caps.HasMember("browserVersion"));
  CHECK(caps["safari:automaticInspection"].GetBool());
  CHECK_FALSE(caps["safari:useSimulator"].GetBool());
  CHECK(alwaysMatch(safariNewSessionBody("{}"))["browserName"] == "safari");
  CHECK(droppedSafariKeys(parse(R"({"safari:a":1,"b":2,"safari:c":3})")) ==
        std::vector<std::string>{"safari:a", "safari:c"});
}

TEST_CASE("safari: the returned capabilities show the browser options the session runs with") {
  std::string body = webkitNewSessionBody("{}", Backend::WebKitGtk, "/mb");
  rapidjson::Document reply = parse(replyWithBrowserOptions(
      R"({"capabilities":{"browserName":"MiniBrowser","browserVersion":"2.50.6"},)"
      R"("upstream":"http://127.0.0.1:1/session/x"})",
      body, Backend::WebKitGtk));
  CHECK(std::string(reply["upstream"].GetString()) == "http://127.0.0.1:1/session/x");
  CHECK(std::string(reply["capabilities"]["browserName"].GetString()) == "MiniBrowser");
  CHECK(std::string(reply["capabilities"]["webkitgtk:browserOptions"]["binary"].GetString()) ==
        "/mb");
  std::string safariReply = R"({"capabilities":{"browserName":"safari"},"upstream":"u"})";
  CHECK(replyWithBrowserOptions(safariReply, "{}", Backend::Safari) == safariReply);
}

namespace {

// What the host's policy makes of a client's WebKit options under the plugin's declaration.
wdh::Status guarded(const std::string& key, const std::string& options, bool allowed = false) {
  rapidjson::Document caps =
      parse(R"({"browserName":"MiniBrowser",")" + key + "\":" + options + "}");
  return wdh::ClientCapabilityPolicy({guardedWebKitCapabilities()}, allowed).check(caps);
}

bool refused(const std::string& key, const std::string& options, const std::string& named) {
  wdh::Status status = guarded(key, options);
  return status.code() == wdh::ErrorCode::InvalidArgument &&
         status.message().find(named) != std::string::npos && guarded(key, options, true).isOk();
}

} // namespace

TEST_CASE("safari capabilities: the host refuses what reaches its programs and files") {
  for (const char* key : {"webkitgtk:browserOptions", "wpe:browserOptions"}) {
    CAPTURE(key);
    CHECK(refused(key, R"({"binary":"/bin/sh"})", std::string(key) + ".binary"));
    CHECK(refused(key, R"({"certificates":[{"host":"a","certificateFile":"/etc/shadow"}]})",
                  ".certificates"));
    CHECK(refused(key, R"({"args":["--config=/x"]})", ".args \"--config=/x\""));
    CHECK(refused(key, R"({"args":["--content-filter", "/x"]})", "--content-filter"));
    CHECK(guarded(key, R"({"args":["--automation","--enable-webgl=false","--ignore-tls-errors"]})")
              .isOk());
  }
  const std::string gtk = "webkitgtk:browserOptions";
  CHECK(refused(gtk, R"({"args":["-c", "/home/x/cookies"]})", "\"-c\""));
  CHECK(refused(gtk, R"({"args":["-pC", "/x"]})", "\"-pC\""));
  CHECK(refused(gtk, R"({"args":["--gtk-module=/tmp/x.so"]})", "--gtk-module"));
  CHECK(refused(gtk, R"({"args":["--display=:0"]})", "--display"));
  CHECK(guarded(gtk, R"({"args":["-d","--cookies-policy=never","-p"]})").isOk());
  const std::string wpe = "wpe:browserOptions";
  CHECK(refused(wpe, R"({"args":["--dir-handler=files:/etc"]})", "--dir-handler"));
  CHECK(refused(wpe, R"({"args":["-d", "files:/etc"]})", "\"-d\""));
  CHECK(refused(wpe, R"({"args":["--web-extensions-dir=/x"]})", "--web-extensions-dir"));
  CHECK(refused(wpe, R"({"args":["--cookie-jar=sqlite:/x"]})", "--cookie-jar"));
  CHECK(guarded(wpe, R"({"args":["--platform=headless","-P","headless","--cookie-store=always"]})")
            .isOk());
}
