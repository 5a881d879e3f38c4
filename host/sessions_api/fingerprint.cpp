#include "sessions_api/fingerprint.h"

#include "sessions_api/device_profiles.h"

#include "json/json.h"

namespace wdh {
namespace {

std::string majorOf(std::string_view version) {
  std::string major(version.substr(0, version.find('.')));
  return major.empty() ? "120" : major;
}

} // namespace

Status checkPresentation(const Presentation& p) {
  bool phoneOs = p.os == "android" || p.os == "ios";
  if (p.mobile && !p.os.empty() && !phoneOs)
    return Status(
        ErrorCode::InvalidArgument,
        "a mobile device runs android or ios, not " + p.os +
            "; ask for operatingSystem [\"android\"] or [\"ios\"], or device [\"desktop\"]");
  if (p.os == "ios" && p.browser != "safari")
    return Status(ErrorCode::InvalidArgument,
                  "every iOS browser is WebKit, so " + p.browser +
                      " cannot present ios honestly; ask for operatingSystem [\"android\"], "
                      "[\"windows\"], [\"macos\"] or [\"linux\"]");
  if (p.browser == "safari" && (!p.os.empty() || p.mobile))
    return Status(ErrorCode::InvalidArgument,
                  "the safari backend presents only its own platform here; leave out "
                  "operatingSystem and device, or ask for chrome or firefox");
  return Status::ok();
}

std::string userAgentFor(const Presentation& p) {
  std::string v = majorOf(p.browserVersion);
  std::string os(deviceProfile(p.os, p.mobile).os);
  if (p.browser == "chrome") {
    const std::string tail = " AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + v + ".0.0.0";
    if (os == "windows")
      return "Mozilla/5.0 (Windows NT 10.0; Win64; x64)" + tail + " Safari/537.36";
    if (os == "macos")
      return "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)" + tail + " Safari/537.36";
    if (os == "linux")
      return "Mozilla/5.0 (X11; Linux x86_64)" + tail + " Safari/537.36";
    if (os == "android")
      return "Mozilla/5.0 (Linux; Android 10; K)" + tail + " Mobile Safari/537.36";
  }
  if (p.browser == "firefox") {
    const std::string tail = "; rv:" + v + ".0) Gecko/20100101 Firefox/" + v + ".0";
    if (os == "windows")
      return "Mozilla/5.0 (Windows NT 10.0; Win64; x64" + tail;
    if (os == "macos")
      return "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15" + tail;
    if (os == "linux")
      return "Mozilla/5.0 (X11; Linux x86_64" + tail;
    if (os == "android")
      return "Mozilla/5.0 (Android 14; Mobile; rv:" + v + ".0) Gecko/" + v + ".0 Firefox/" + v +
             ".0";
  }
  return "";
}

std::string chromeClientHints(const Presentation& p) {
  const DeviceProfile& device = deviceProfile(p.os, p.mobile);
  std::string full = p.browserVersion.empty() ? majorOf("") + ".0.0.0" : p.browserVersion;
  std::string major = majorOf(p.browserVersion);
  rapidjson::Document hints(rapidjson::kObjectType);
  auto& a = hints.GetAllocator();
  auto brands = [&](const std::string& chrome, const char* grease) {
    rapidjson::Value list(rapidjson::kArrayType);
    for (const auto& [brand, version] : {std::pair<const char*, std::string>{"Chromium", chrome},
                                         {"Google Chrome", chrome},
                                         {"Not=A?Brand", grease}}) {
      rapidjson::Value entry(rapidjson::kObjectType);
      entry.AddMember("brand", rapidjson::StringRef(brand), a);
      entry.AddMember("version", rapidjson::Value(version.c_str(), a), a);
      list.PushBack(entry, a);
    }
    return list;
  };
  hints.AddMember("brands", brands(major, "24"), a);
  hints.AddMember("fullVersionList", brands(full, "24.0.0.0"), a);
  auto text = [&](const char* key, std::string_view value) {
    hints.AddMember(
        rapidjson::StringRef(key),
        rapidjson::Value(value.data(), static_cast<rapidjson::SizeType>(value.size()), a), a);
  };
  text("platform", device.hintPlatform);
  text("platformVersion", device.hintVersion);
  text("architecture", device.architecture);
  text("bitness", device.bitness);
  text("model", device.model);
  hints.AddMember("mobile", device.mobile, a);
  hints.AddMember("wow64", false, a);
  return toJson(hints);
}

namespace {

// What the page reports about itself; the fingerprint is read back, never assumed.
constexpr const char* kFingerprintScript = R"(
const done = arguments[arguments.length - 1];
const d = navigator.userAgentData;
const base = {userAgent: navigator.userAgent, platform: navigator.platform,
  languages: navigator.languages, width: window.innerWidth, height: window.innerHeight,
  outerWidth: window.outerWidth, outerHeight: window.outerHeight,
  screenWidth: screen.width, screenHeight: screen.height,
  devicePixelRatio: window.devicePixelRatio, maxTouchPoints: navigator.maxTouchPoints};
if (!d) { done(base); return; }
base.userAgentData = {brands: d.brands, mobile: d.mobile, platform: d.platform};
d.getHighEntropyValues(['platformVersion', 'architecture', 'bitness', 'model',
                        'fullVersionList'])
  .then(high => { base.userAgentData.highEntropy = high; done(base); }, () => done(base));
)";

} // namespace

std::string readFingerprint(WebDriverCalls& session, const rapidjson::Value& caps, bool mobile) {
  rapidjson::Document seen;
  rapidjson::Document body(rapidjson::kObjectType);
  body.AddMember("script", rapidjson::StringRef(kFingerprintScript), body.GetAllocator());
  body.AddMember("args", rapidjson::Value(rapidjson::kArrayType), body.GetAllocator());
  if (!webdriverCall(session, "POST", "/execute/async", toJson(body), &seen).isOk())
    seen.SetNull();
  rapidjson::Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  for (const char* key : {"browserName", "browserVersion", "platformName"})
    if (caps.HasMember(key))
      out.AddMember(rapidjson::StringRef(key), rapidjson::Value(caps[key], a), a);
  out.AddMember("device", rapidjson::StringRef(mobile ? "mobile" : "desktop"), a);
  if (seen.IsObject()) {
    for (const char* key : {"userAgent", "platform", "languages", "maxTouchPoints",
                            "devicePixelRatio", "userAgentData"})
      if (seen.HasMember(key))
        out.AddMember(rapidjson::StringRef(key), rapidjson::Value(seen[key], a), a);
    auto pair = [&](const char* name, const char* width, const char* height) {
      rapidjson::Value size(rapidjson::kObjectType);
      if (seen.HasMember(width) && seen.HasMember(height)) {
        size.AddMember("width", rapidjson::Value(seen[width], a), a);
        size.AddMember("height", rapidjson::Value(seen[height], a), a);
      }
      out.AddMember(rapidjson::StringRef(name), size, a);
    };
    pair("viewport", "width", "height");
    pair("window", "outerWidth", "outerHeight");
    pair("screen", "screenWidth", "screenHeight");
  }
  return toJson(out);
}

} // namespace wdh
