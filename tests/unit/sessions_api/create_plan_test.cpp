// sessions.create's presentation: the device table, the capabilities each browser starts with,
// and the combinations refused.
#include "sessions_api/create_plan.h"
#include "sessions_api/device_profiles.h"
#include "sessions_api/fingerprint.h"

#include "json/json.h"
#include <doctest/doctest.h>

using namespace wdh;

namespace {

// The firstMatch entry built for `command` (one browser asked for).
rapidjson::Document entryFor(const char* command, Status* status = nullptr) {
  rapidjson::Document doc;
  doc.Parse(command);
  CreatePlan plan;
  Status parsed = parseCreatePlan(doc, &plan);
  std::string body;
  Status built = parsed.isOk() ? buildCreateCapabilities(doc, plan, {}, "", false, &body) : parsed;
  if (status != nullptr)
    *status = built;
  rapidjson::Document out;
  if (built.isOk()) {
    rapidjson::Document caps;
    caps.Parse(body.c_str());
    out.CopyFrom(caps["capabilities"]["firstMatch"][0], out.GetAllocator());
  }
  return out;
}

bool hasArg(const rapidjson::Value& args, const std::string& prefix) {
  for (const auto& arg : args.GetArray())
    if (std::string(arg.GetString()).rfind(prefix, 0) == 0)
      return true;
  return false;
}

} // namespace

TEST_CASE("create plan: one device profile per operating system, a phone is android") {
  CHECK(deviceProfile("windows", false).platform == "Win32");
  CHECK(deviceProfile("macos", false).pixelRatio == 2.0);
  CHECK(deviceProfile("", false).os == "linux");
  CHECK(deviceProfile("", true).os == "android");
  CHECK(deviceProfile("android", true).maxTouchPoints > 0);
  for (const char* os : {"windows", "macos", "linux"}) {
    const DeviceProfile& device = deviceProfile(os, false);
    CHECK(device.windowWidth <= device.screenWidth);
    CHECK(device.windowHeight <= device.screenHeight);
    CHECK_FALSE(device.mobile);
  }
}

TEST_CASE("create plan: chrome starts with the device's user agent, window and screen") {
  rapidjson::Document entry =
      entryFor(R"({"browser":[{"name":"chrome"}],"operatingSystem":["macos"]})");
  const rapidjson::Value& args = entry["goog:chromeOptions"]["args"];
  CHECK(hasArg(args, "--user-agent=Mozilla/5.0 (Macintosh;"));
  CHECK(hasArg(args, "--window-size=1512,945"));
  CHECK(hasArg(args, "--screen-info={3024x1964}")); // device pixels at 2x
  CHECK(hasArg(args, "--force-device-scale-factor=2"));
  rapidjson::Document plain = entryFor(R"({"browser":[{"name":"chrome"}]})");
  for (const auto& arg : plain["goog:chromeOptions"]["args"].GetArray())
    CHECK(std::string(arg.GetString()).find("Headless") == std::string::npos);
  CHECK(hasArg(plain["goog:chromeOptions"]["args"], "--user-agent=Mozilla/5.0 (X11; Linux"));
}

TEST_CASE("create plan: firefox presents through prefs, screen size and window") {
  rapidjson::Document phone =
      entryFor(R"({"browser":[{"name":"firefox"}],"operatingSystem":["android"]})");
  const rapidjson::Value& options = phone["moz:firefoxOptions"];
  CHECK(std::string(options["prefs"]["general.platform.override"].GetString()) == "Linux armv81");
  CHECK(std::string(options["prefs"]["general.useragent.override"].GetString())
            .find("Android 14; Mobile") != std::string::npos);
  CHECK(options["prefs"]["dom.maxtouchpoints.testing.value"].GetInt() == 5);
  CHECK(std::string(options["prefs"]["layout.css.devPixelsPerPx"].GetString()) == "3");
  CHECK(std::string(options["env"]["MOZ_HEADLESS_WIDTH"].GetString()) == "1080");
  CHECK(std::string(options["args"][0].GetString()) == "--kiosk");
  rapidjson::Document desk =
      entryFor(R"({"browser":[{"name":"firefox"}],"operatingSystem":["windows"]})");
  CHECK(std::string(desk["moz:firefoxOptions"]["prefs"]["general.oscpu.override"].GetString()) ==
        "Windows NT 10.0; Win64; x64");
  CHECK(std::string(desk["moz:firefoxOptions"]["args"][1].GetString()) == "1920");
}

TEST_CASE("create plan: combinations no browser can present honestly are refused") {
  Status status;
  entryFor(R"({"browser":[{"name":"chrome"}],"operatingSystem":["ios"]})", &status);
  CHECK(status.code() == ErrorCode::InvalidArgument);
  CHECK(status.message().find("WebKit") != std::string::npos);
  entryFor(R"({"browser":[{"name":"firefox"}],"operatingSystem":["ios"]})", &status);
  CHECK(status.code() == ErrorCode::InvalidArgument);
  entryFor(R"({"browser":[{"name":"chrome"}],"device":["mobile"],"operatingSystem":["windows"]})",
           &status);
  CHECK(status.code() == ErrorCode::InvalidArgument);
  entryFor(R"({"browser":[{"name":"safari"}],"operatingSystem":["windows"]})", &status);
  CHECK(status.code() == ErrorCode::InvalidArgument);
}

TEST_CASE("create plan: chrome's client hints describe the same device") {
  rapidjson::Document hints;
  hints.Parse(chromeClientHints(Presentation{"chrome", "android", true, "156.0.8078.108"}).c_str());
  CHECK(std::string(hints["platform"].GetString()) == "Android");
  CHECK(hints["mobile"].GetBool());
  CHECK(std::string(hints["model"].GetString()) == "SM-S911B");
  CHECK(std::string(hints["fullVersionList"][0]["version"].GetString()) == "156.0.8078.108");
  CHECK(std::string(hints["brands"][0]["version"].GetString()) == "156");
}

TEST_CASE("create plan: video asks the host to record the session, and nothing else") {
  rapidjson::Document doc;
  doc.Parse(R"({"cmd":"sessions.create","browser":[{"name":"chrome"}],"video":true})");
  CreatePlan plan;
  REQUIRE(parseCreatePlan(doc, &plan).isOk());
  CHECK(plan.video);
  std::string body;
  REQUIRE(buildCreateCapabilities(doc, plan, {}, "", false, &body).isOk());
  rapidjson::Document caps;
  caps.Parse(body.c_str());
  const rapidjson::Value& always = caps["capabilities"]["alwaysMatch"];
  REQUIRE(always.HasMember("wdhost:recording"));
  CHECK(always["wdhost:recording"]["video"].IsTrue());

  doc.Parse(R"({"cmd":"sessions.create","browser":[{"name":"chrome"}]})");
  plan = CreatePlan();
  REQUIRE(parseCreatePlan(doc, &plan).isOk());
  CHECK_FALSE(plan.video);
  REQUIRE(buildCreateCapabilities(doc, plan, {}, "", false, &body).isOk());
  CHECK(body.find("wdhost:recording") == std::string::npos);

  doc.Parse(R"({"cmd":"sessions.create","video":"yes"})");
  Status status = parseCreatePlan(doc, &plan);
  CHECK(status.code() == ErrorCode::InvalidArgument);
  CHECK(status.message().find("video must be true") != std::string::npos);
}

TEST_CASE("create plan: trace asks for a trace of the session") {
  rapidjson::Document doc;
  CreatePlan plan;
  std::string body;
  rapidjson::Document caps;
  for (auto [asked, wanted] :
       {std::pair<const char*, const char*>{"true", "\"on\""},
        {"\"on-failure\"", "\"on-failure\""},
        {R"({"mode":"on","redact":true})", R"({"mode":"on","redact":true})"}}) {
    doc.Parse((std::string(R"({"cmd":"sessions.create","browser":[{"name":"chrome"}],"trace":)") +
               asked + "}")
                  .c_str());
    plan = CreatePlan();
    REQUIRE(parseCreatePlan(doc, &plan).isOk());
    REQUIRE(buildCreateCapabilities(doc, plan, {}, "", false, &body).isOk());
    caps.Parse(body.c_str());
    CHECK(toJson(caps["capabilities"]["alwaysMatch"]["wdhost:trace"]) == wanted);
  }
  doc.Parse(R"({"cmd":"sessions.create","browser":[{"name":"chrome"}],"trace":false})");
  plan = CreatePlan();
  REQUIRE(parseCreatePlan(doc, &plan).isOk());
  REQUIRE(buildCreateCapabilities(doc, plan, {}, "", false, &body).isOk());
  CHECK(body.find("wdhost:trace") == std::string::npos);
  doc.Parse(R"({"cmd":"sessions.create","trace":3})");
  Status status = parseCreatePlan(doc, &plan);
  CHECK(status.code() == ErrorCode::InvalidArgument);
  CHECK(status.message().find("trace must be true") != std::string::npos);
}

TEST_CASE("create plan: liveView asks for a hand-off link, view-only unless it says control") {
  rapidjson::Document doc;
  doc.Parse(R"({"cmd":"sessions.create","browser":[{"name":"chrome"}],"liveView":true})");
  CreatePlan plan;
  REQUIRE(parseCreatePlan(doc, &plan).isOk());
  std::string body;
  REQUIRE(buildCreateCapabilities(doc, plan, {}, "", false, &body).isOk());
  rapidjson::Document caps;
  caps.Parse(body.c_str());
  CHECK(caps["capabilities"]["alwaysMatch"]["wdhost:liveView"].IsTrue());

  doc.Parse(R"({"cmd":"sessions.create","browser":[{"name":"chrome"}],
                "liveView":{"control":true,"expiresIn":60}})");
  plan = CreatePlan();
  REQUIRE(parseCreatePlan(doc, &plan).isOk());
  REQUIRE(buildCreateCapabilities(doc, plan, {}, "", false, &body).isOk());
  caps.Parse(body.c_str());
  CHECK(caps["capabilities"]["alwaysMatch"]["wdhost:liveView"]["control"].IsTrue());

  for (const char* off :
       {R"({"cmd":"sessions.create","browser":[{"name":"chrome"}],"liveView":false})",
        R"({"cmd":"sessions.create","browser":[{"name":"chrome"}]})"}) {
    doc.Parse(off);
    plan = CreatePlan();
    REQUIRE(parseCreatePlan(doc, &plan).isOk());
    REQUIRE(buildCreateCapabilities(doc, plan, {}, "", false, &body).isOk());
    CHECK(body.find("wdhost:liveView") == std::string::npos);
  }
  doc.Parse(R"({"cmd":"sessions.create","liveView":"please"})");
  Status status = parseCreatePlan(doc, &plan);
  CHECK(status.code() == ErrorCode::InvalidArgument);
  CHECK(status.message().find("liveView must be") != std::string::npos);
}
