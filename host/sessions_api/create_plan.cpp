#include "sessions_api/create_plan.h"

#include "sessions_api/device_profiles.h"
#include "sessions_api/fingerprint.h"

#include "json/json.h"
#include <array>
#include <cstdio>

namespace wdh {
namespace {

constexpr std::array<std::string_view, 3> kBrowsers = {"chrome", "firefox", "safari"};
constexpr std::array<std::string_view, 5> kSystems = {"windows", "macos", "linux", "android",
                                                      "ios"};

Status invalid(const std::string& message) {
  return Status(ErrorCode::InvalidArgument, message);
}

// The first string of a field that is a string or a list of strings, checked against `allowed`.
template <std::size_t N>
Status firstChoice(const rapidjson::Value& command, const char* field,
                   const std::array<std::string_view, N>& allowed, std::string* out) {
  auto it = command.FindMember(field);
  if (it == command.MemberEnd() || it->value.IsNull())
    return Status::ok();
  const rapidjson::Value* first = &it->value;
  if (it->value.IsArray()) {
    if (it->value.Empty())
      return Status::ok();
    first = &it->value[0];
  }
  std::string known;
  for (std::string_view a : allowed)
    known += (known.empty() ? "" : ", ") + std::string(a);
  if (!first->IsString())
    return invalid(std::string(field) + " must be a list of: " + known);
  std::string_view value(first->GetString(), first->GetStringLength());
  for (std::string_view a : allowed)
    if (a == value) {
      *out = std::string(value);
      return Status::ok();
    }
  return invalid(std::string(field) + " \"" + std::string(value) + "\" is not one of: " + known);
}

std::string installedVersion(const std::vector<std::shared_ptr<LoadedPlugin>>& plugins,
                             std::string_view browser) {
  for (const auto& plugin : plugins)
    if (plugin->description().browserName == browser && !plugin->description().browsers.empty())
      return plugin->description().browsers.front().version;
  return "";
}

using Allocator = rapidjson::Document::AllocatorType;

std::string pixels(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

// Chrome starts with the user agent for every tab and request (--user-agent) and, on a desktop,
// its window and screen (headless Chrome's --screen-info is in device pixels). The rest (client
// hints, navigator.platform, a phone's metrics and touch) is set on the session's tab through
// DevTools once it runs (presentOnChrome): chromedriver's own mobileEmulation would reset
// navigator.platform on every navigation.
rapidjson::Value chromeOptions(const Presentation& p, bool proxyLoopback, Allocator& a) {
  const DeviceProfile& device = deviceProfile(p.os, p.mobile);
  rapidjson::Value options(rapidjson::kObjectType);
  rapidjson::Value args(rapidjson::kArrayType);
  auto arg = [&](const std::string& text) { args.PushBack(rapidjson::Value(text.c_str(), a), a); };
  if (proxyLoopback)
    arg("--proxy-bypass-list=<-loopback>");
  arg("--lang=en-US");
  arg("--user-agent=" + userAgentFor(p));
  arg("--window-size=" + std::to_string(device.windowWidth) + "," +
      std::to_string(device.windowHeight));
  arg("--screen-info={" + pixels(device.screenWidth * device.pixelRatio) + "x" +
      pixels(device.screenHeight * device.pixelRatio) + "}");
  if (device.pixelRatio != 1.0)
    arg("--force-device-scale-factor=" + pixels(device.pixelRatio));
  options.AddMember("args", args, a);
  return options;
}

// Firefox presents `p` through preferences (user agent, navigator.platform, oscpu, appVersion,
// touch points, pixel ratio, languages), the headless screen size (MOZ_HEADLESS_*, device
// pixels) and its window size; a phone's window is the whole screen with no toolbars (kiosk).
rapidjson::Value firefoxOptions(const Presentation& p, bool proxyLoopback, Allocator& a) {
  const DeviceProfile& device = deviceProfile(p.os, p.mobile);
  rapidjson::Value prefs(rapidjson::kObjectType);
  auto pref = [&](const char* key, std::string_view value) {
    prefs.AddMember(
        rapidjson::StringRef(key),
        rapidjson::Value(value.data(), static_cast<rapidjson::SizeType>(value.size()), a), a);
  };
  pref("general.useragent.override", userAgentFor(p));
  pref("general.platform.override", device.platform);
  pref("general.oscpu.override", device.oscpu);
  pref("general.appversion.override", device.appVersion);
  pref("intl.accept_languages", "en-US, en");
  if (device.pixelRatio != 1.0)
    pref("layout.css.devPixelsPerPx", pixels(device.pixelRatio));
  if (device.maxTouchPoints > 0) {
    prefs.AddMember("dom.maxtouchpoints.testing.value", device.maxTouchPoints, a);
    prefs.AddMember("dom.w3c_touch_events.enabled", 1, a);
  }
  if (proxyLoopback)
    prefs.AddMember("network.proxy.allow_hijacking_localhost", true, a);
  rapidjson::Value env(rapidjson::kObjectType);
  env.AddMember("MOZ_HEADLESS_WIDTH",
                rapidjson::Value(pixels(device.screenWidth * device.pixelRatio).c_str(), a), a);
  env.AddMember("MOZ_HEADLESS_HEIGHT",
                rapidjson::Value(pixels(device.screenHeight * device.pixelRatio).c_str(), a), a);
  rapidjson::Value args(rapidjson::kArrayType);
  if (device.mobile) {
    args.PushBack("--kiosk", a);
  } else {
    for (const std::string& value : {std::string("-width"), std::to_string(device.windowWidth),
                                     std::string("-height"), std::to_string(device.windowHeight)})
      args.PushBack(rapidjson::Value(value.c_str(), a), a);
  }
  rapidjson::Value options(rapidjson::kObjectType);
  options.AddMember("args", args, a);
  options.AddMember("prefs", prefs, a);
  options.AddMember("env", env, a);
  return options;
}

} // namespace

bool validClientSessionId(std::string_view id) {
  if (id.empty() || id.size() > 128)
    return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '_' || c == '-'))
      return false;
  return true;
}

Status parseCreatePlan(const rapidjson::Value& command, CreatePlan* plan) {
  auto session = command.FindMember("session");
  if (session != command.MemberEnd() && !session->value.IsNull()) {
    if (!session->value.IsString() || !validClientSessionId(session->value.GetString()))
      return invalid("session must be 1 to 128 characters of A-Z a-z 0-9 . _ -");
    plan->sessionId = session->value.GetString();
  }
  auto proxy = command.FindMember("proxy");
  if (proxy != command.MemberEnd() && !proxy->value.IsNull()) {
    if (!proxy->value.IsString() || proxy->value.GetStringLength() == 0)
      return invalid("proxy must be a URL such as http://user:pass@host:port, socks4://host:port "
                     "or socks5://user:pass@host:port");
    plan->proxy = proxy->value.GetString();
  }
  auto domains = command.FindMember("whitelistedDomains");
  if (domains != command.MemberEnd() && !domains->value.IsNull()) {
    if (!domains->value.IsArray())
      return invalid("whitelistedDomains must be a list of domain names");
    for (const auto& domain : domains->value.GetArray()) {
      if (!domain.IsString() || domain.GetStringLength() == 0 || domain.GetStringLength() > 253)
        return invalid("whitelistedDomains must be a list of domain names");
      plan->whitelist.emplace_back(domain.GetString());
    }
  }
  auto webSocket = command.FindMember("webSocketUrl");
  if (webSocket != command.MemberEnd() && !webSocket->value.IsNull()) {
    if (!webSocket->value.IsBool())
      return invalid("webSocketUrl must be true (the default: BiDi where the browser offers it) "
                     "or false");
    plan->webSocket = webSocket->value.GetBool();
  }
  auto video = command.FindMember("video");
  if (video != command.MemberEnd() && !video->value.IsNull()) {
    if (!video->value.IsBool())
      return invalid("video must be true (record the session; the answer says where the video "
                     "will be) or false");
    plan->video = video->value.GetBool();
  }
  auto liveView = command.FindMember("liveView");
  if (liveView != command.MemberEnd() && !liveView->value.IsNull() && !liveView->value.IsFalse()) {
    if (!liveView->value.IsTrue() && !liveView->value.IsObject())
      return invalid("liveView must be true (a view-only link to watch the session live), "
                     "{\"control\": true, \"expiresIn\": seconds} (a link that may take "
                     "control) or false");
    plan->liveView = toJson(liveView->value);
  }
  auto trace = command.FindMember("trace");
  if (trace != command.MemberEnd() && !trace->value.IsNull() && !trace->value.IsFalse()) {
    if (!trace->value.IsTrue() && !trace->value.IsString() && !trace->value.IsObject())
      return invalid("trace must be true (every command with the page before and after it), "
                     "\"on-failure\", {\"mode\": \"on\", \"redact\": true} or false");
    plan->trace = trace->value.IsTrue() ? "\"on\"" : toJson(trace->value);
  }
  auto datacenter = command.FindMember("datacenter");
  if (datacenter != command.MemberEnd() && !datacenter->value.IsNull()) {
    if (!datacenter->value.IsBool())
      return invalid("datacenter must be true or false");
    plan->datacenter = datacenter->value.GetBool();
  }
  if (plan->datacenter && !plan->proxy.empty())
    return invalid("give either proxy or datacenter, not both");
  Status status = firstChoice(command, "operatingSystem", kSystems, &plan->os);
  if (!status.isOk())
    return status;
  std::string device;
  status =
      firstChoice(command, "device", std::array<std::string_view, 2>{"desktop", "mobile"}, &device);
  if (!status.isOk())
    return status;
  bool phoneOs = plan->os == "android" || plan->os == "ios";
  if (device == "desktop" && phoneOs)
    return invalid("operatingSystem " + plan->os + " runs on a mobile device, not desktop");
  plan->mobile = device == "mobile" || phoneOs;
  auto browsers = command.FindMember("browser");
  if (browsers != command.MemberEnd() && !browsers->value.IsNull()) {
    if (!browsers->value.IsArray() || browsers->value.Empty())
      return invalid("browser must be a list like [{\"name\":\"chrome\",\"minVersion\":116}]");
    for (const auto& entry : browsers->value.GetArray()) {
      if (!entry.IsObject() || !entry.HasMember("name") || !entry["name"].IsString())
        return invalid("each browser needs a \"name\": chrome, firefox or safari");
      std::string_view name = entry["name"].GetString();
      if (name != "chrome" && name != "firefox" && name != "safari")
        return invalid("browser name \"" + std::string(name) +
                       "\" is not one of: chrome, firefox, safari");
      for (const char* bound : {"minVersion", "maxVersion"})
        if (entry.HasMember(bound) && !entry[bound].IsUint())
          return invalid(std::string("browser ") + bound + " must be a whole number");
      if (entry.HasMember("minVersion") && entry.HasMember("maxVersion") &&
          entry["minVersion"].GetUint() > entry["maxVersion"].GetUint())
        return invalid("browser minVersion is above maxVersion");
    }
  }
  return Status::ok();
}

Status buildCreateCapabilities(const rapidjson::Value& command, const CreatePlan& plan,
                               const std::vector<std::shared_ptr<LoadedPlugin>>& plugins,
                               const std::string& proxyCaps, bool proxyLoopback,
                               std::string* body) {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  rapidjson::Value firstMatch(rapidjson::kArrayType);

  std::vector<std::pair<std::string, std::string>> wanted; // name, version range
  auto browsers = command.FindMember("browser");
  if (browsers != command.MemberEnd() && browsers->value.IsArray()) {
    for (const auto& entry : browsers->value.GetArray()) {
      std::string range;
      if (entry.HasMember("minVersion"))
        range = ">=" + std::to_string(entry["minVersion"].GetUint());
      if (entry.HasMember("maxVersion"))
        range += (range.empty() ? "<" : " <") + std::to_string(entry["maxVersion"].GetUint() + 1);
      wanted.emplace_back(entry["name"].GetString(), range);
    }
  } else {
    for (const auto& plugin : plugins)
      wanted.emplace_back(plugin->description().browserName, "");
  }

  Status lastProblem = Status::ok();
  for (const auto& [name, range] : wanted) {
    Presentation presentation{name, plan.os, plan.mobile, installedVersion(plugins, name)};
    Status possible = checkPresentation(presentation);
    if (!possible.isOk()) {
      lastProblem = possible;
      continue;
    }
    rapidjson::Value entry(rapidjson::kObjectType);
    entry.AddMember("browserName", rapidjson::Value(name.c_str(), a), a);
    if (!range.empty())
      entry.AddMember("browserVersion", rapidjson::Value(range.c_str(), a), a);
    if (name == "chrome")
      entry.AddMember("goog:chromeOptions", chromeOptions(presentation, proxyLoopback, a), a);
    else if (name == "firefox")
      entry.AddMember("moz:firefoxOptions", firefoxOptions(presentation, proxyLoopback, a), a);
    firstMatch.PushBack(entry, a);
  }
  if (firstMatch.Empty())
    return lastProblem.isOk() ? Status(ErrorCode::SessionNotCreated, "no browser is installed")
                              : lastProblem;

  rapidjson::Value always(rapidjson::kObjectType);
  if (plan.webSocket)
    always.AddMember("webSocketUrl", true, a);
  if (plan.video) {
    rapidjson::Value recording(rapidjson::kObjectType);
    recording.AddMember("video", true, a);
    always.AddMember("wdhost:recording", recording, a);
  }
  if (!plan.liveView.empty()) {
    rapidjson::Document liveView;
    if (parseJson(plan.liveView, &liveView).isOk())
      always.AddMember("wdhost:liveView", rapidjson::Value(liveView, a), a);
  }
  if (!plan.trace.empty()) {
    rapidjson::Document trace;
    if (parseJson(plan.trace, &trace).isOk())
      always.AddMember("wdhost:trace", rapidjson::Value(trace, a), a);
  }
  if (!proxyCaps.empty()) {
    rapidjson::Document proxy;
    if (parseJsonObject(proxyCaps, &proxy).isOk())
      always.AddMember("proxy", rapidjson::Value(proxy, a), a);
  }
  rapidjson::Value capabilities(rapidjson::kObjectType);
  capabilities.AddMember("alwaysMatch", always, a);
  capabilities.AddMember("firstMatch", firstMatch, a);
  doc.AddMember("capabilities", capabilities, a);
  *body = toJson(doc);
  return Status::ok();
}

} // namespace wdh
