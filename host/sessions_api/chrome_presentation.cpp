#include "sessions_api/chrome_presentation.h"

#include "sessions_api/device_profiles.h"
#include "sessions_api/webdriver_call.h"

#include "json/json.h"

namespace wdh {
namespace {

Status devtools(WebDriverCalls& session, const char* method, const rapidjson::Value& params) {
  rapidjson::Document body(rapidjson::kObjectType);
  auto& a = body.GetAllocator();
  body.AddMember("cmd", rapidjson::StringRef(method), a);
  body.AddMember("params", rapidjson::Value(params, a), a);
  rapidjson::Document ignored;
  return webdriverCall(session, "POST", "/goog/cdp/execute", toJson(body), &ignored)
      .withContext(method);
}

} // namespace

Status presentOnChrome(WebDriverCalls& session, const Presentation& p, bool pinPlatform) {
  const DeviceProfile& device = deviceProfile(p.os, p.mobile);
  rapidjson::Document agent(rapidjson::kObjectType);
  auto& a = agent.GetAllocator();
  agent.AddMember("userAgent", rapidjson::Value(userAgentFor(p).c_str(), a), a);
  agent.AddMember("acceptLanguage",
                  rapidjson::StringRef(kAcceptLanguage.data(), kAcceptLanguage.size()), a);
  agent.AddMember("platform", rapidjson::StringRef(device.platform.data(), device.platform.size()),
                  a);
  rapidjson::Document hints;
  hints.Parse(chromeClientHints(p).c_str());
  agent.AddMember("userAgentMetadata", rapidjson::Value(hints, a), a);
  Status status = devtools(session, "Emulation.setUserAgentOverride", agent);
  if (status.isOk() && pinPlatform) {
    // With WebDriver BiDi on, chromedriver's BiDi mapper drops the platform of that override at
    // the next navigation; a getter defined before any page script keeps it.
    rapidjson::Document script(rapidjson::kObjectType);
    auto& s = script.GetAllocator();
    std::string source = "Object.defineProperty(Navigator.prototype, 'platform', {get() { return " +
                         quoteJson(device.platform) +
                         "; }, configurable: true, enumerable: true});";
    script.AddMember("source", rapidjson::Value(source.c_str(), s), s);
    script.AddMember("runImmediately", true, s);
    status = devtools(session, "Page.addScriptToEvaluateOnNewDocument", script);
  }
  if (!status.isOk() || !device.mobile)
    return status;

  rapidjson::Document metrics(rapidjson::kObjectType);
  auto& m = metrics.GetAllocator();
  metrics.AddMember("width", device.screenWidth, m);
  metrics.AddMember("height", device.screenHeight, m);
  metrics.AddMember("deviceScaleFactor", device.pixelRatio, m);
  metrics.AddMember("mobile", true, m);
  metrics.AddMember("screenWidth", device.screenWidth, m);
  metrics.AddMember("screenHeight", device.screenHeight, m);
  status = devtools(session, "Emulation.setDeviceMetricsOverride", metrics);
  if (!status.isOk())
    return status;
  rapidjson::Document touch(rapidjson::kObjectType);
  touch.AddMember("enabled", true, touch.GetAllocator());
  touch.AddMember("maxTouchPoints", device.maxTouchPoints, touch.GetAllocator());
  return devtools(session, "Emulation.setTouchEmulationEnabled", touch);
}

} // namespace wdh
