#include "webdriver/capability_validation.h"

#include "json/json.h"
#include <array>
#include <cmath>
#include <cstdint>
#include <string>

namespace wdh {
namespace {

constexpr std::array<std::string_view, 5> kPromptHandlers = {
    "dismiss", "accept", "dismiss and notify", "accept and notify", "ignore"};
constexpr std::array<std::string_view, 6> kPromptTypes = {"alert",   "beforeUnload", "confirm",
                                                          "default", "file",         "prompt"};
constexpr std::array<std::string_view, 5> kProxyTypes = {"pac", "direct", "autodetect", "system",
                                                         "manual"};
constexpr std::uint64_t kMaxSafeInteger = 9007199254740991ULL; // 2^53 - 1

template <std::size_t N>
bool oneOf(const std::array<std::string_view, N>& set, std::string_view value) {
  for (std::string_view item : set)
    if (item == value)
      return true;
  return false;
}

template <std::size_t N>
std::string listOf(const std::array<std::string_view, N>& set) {
  std::string out;
  for (std::string_view item : set)
    out += (out.empty() ? "\"" : ", \"") + std::string(item) + "\"";
  return out;
}

std::string_view stringOf(const rapidjson::Value& value) {
  return std::string_view(value.GetString(), value.GetStringLength());
}

Status invalid(std::string_view where, std::string_view key, const std::string& rule,
               const rapidjson::Value& value) {
  std::string shown = toJson(value);
  if (shown.size() > 80)
    shown = shown.substr(0, 77) + "...";
  return Status(ErrorCode::InvalidArgument, std::string(where) + "." + std::string(key) +
                                                " must be " + rule + ", not " + shown);
}

// A host, or host:port, without scheme, path or credentials' @ (WebDriver §7.1).
bool isHostAndPort(std::string_view text) {
  if (text.empty() || text.find("://") != std::string_view::npos ||
      text.find_first_of("/?#@ ") != std::string_view::npos)
    return false;
  std::string_view host = text;
  std::string_view port;
  if (text.front() == '[') {
    std::size_t close = text.find(']');
    if (close == std::string_view::npos)
      return false;
    host = text.substr(0, close + 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':')
        return false;
      port = rest.substr(1);
    }
  } else {
    std::size_t colon = text.rfind(':');
    if (colon != std::string_view::npos) {
      host = text.substr(0, colon);
      port = text.substr(colon + 1);
      if (host.find(':') != std::string_view::npos)
        return false;
    }
  }
  if (host.empty() || host == "[]")
    return false;
  if (text.find(':') != std::string_view::npos && port.empty())
    return false;
  if (!port.empty()) {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos)
      return false;
    if (std::stoul(std::string(port)) > 65535)
      return false;
  }
  return true;
}

bool isSafeNonNegativeInteger(const rapidjson::Value& value) {
  if (value.IsUint64())
    return value.GetUint64() <= kMaxSafeInteger;
  if (value.IsDouble()) {
    double d = value.GetDouble();
    return d >= 0 && d <= static_cast<double>(kMaxSafeInteger) && std::floor(d) == d;
  }
  return false;
}

} // namespace

Status validateProxy(const rapidjson::Value& proxy, std::string_view where) {
  std::string place = std::string(where) + ".proxy";
  if (!proxy.IsObject())
    return invalid(where, "proxy", "an object with \"proxyType\"", proxy);
  auto type = proxy.FindMember("proxyType");
  if (type == proxy.MemberEnd())
    return Status(ErrorCode::InvalidArgument,
                  place + " needs \"proxyType\": one of " + listOf(kProxyTypes));
  if (!type->value.IsString() || !oneOf(kProxyTypes, stringOf(type->value)))
    return invalid(place, "proxyType", "one of " + listOf(kProxyTypes), type->value);
  std::string_view proxyType = stringOf(type->value);
  for (const auto& member : proxy.GetObject()) {
    std::string_view key = stringOf(member.name);
    const rapidjson::Value& value = member.value;
    if (key == "proxyType") {
      continue;
    } else if (key == "proxyAutoconfigUrl") {
      if (!value.IsString() || value.GetStringLength() == 0)
        return invalid(place, key, "the URL of a PAC file", value);
    } else if (key == "httpProxy" || key == "sslProxy" || key == "socksProxy") {
      if (!value.IsString() || !isHostAndPort(stringOf(value)))
        return invalid(place, key, "host[:port] without a scheme", value);
    } else if (key == "noProxy") {
      if (!value.IsArray())
        return invalid(place, key, "a list of strings", value);
      for (const auto& item : value.GetArray())
        if (!item.IsString())
          return invalid(place, key, "a list of strings", value);
    } else if (key == "socksVersion") {
      if (!value.IsUint() || value.GetUint() > 255)
        return invalid(place, key, "an integer from 0 to 255", value);
    } else {
      return Status(ErrorCode::InvalidArgument,
                    place + " has an unknown key \"" + std::string(key) +
                        "\"; allowed: proxyType, proxyAutoconfigUrl, httpProxy, sslProxy, "
                        "socksProxy, socksVersion, noProxy");
    }
  }
  if (proxyType == "pac" && !proxy.HasMember("proxyAutoconfigUrl"))
    return Status(ErrorCode::InvalidArgument,
                  place + " of type \"pac\" needs \"proxyAutoconfigUrl\"");
  if (proxy.HasMember("socksProxy") && !proxy.HasMember("socksVersion"))
    return Status(ErrorCode::InvalidArgument,
                  place + " with \"socksProxy\" needs \"socksVersion\" (0 to 255)");
  return Status::ok();
}

Status validateTimeouts(const rapidjson::Value& timeouts, std::string_view where) {
  std::string place = std::string(where) + ".timeouts";
  if (!timeouts.IsObject())
    return invalid(where, "timeouts", "an object with script, pageLoad and implicit", timeouts);
  for (const auto& member : timeouts.GetObject()) {
    std::string_view key = stringOf(member.name);
    if (key != "script" && key != "pageLoad" && key != "implicit")
      return Status(ErrorCode::InvalidArgument, place + " has an unknown key \"" +
                                                    std::string(key) +
                                                    "\"; allowed: script, pageLoad, implicit");
    // Only the script timeout may be null: it means scripts never time out.
    if (member.value.IsNull() && key == "script")
      continue;
    if (!isSafeNonNegativeInteger(member.value))
      return invalid(place, key, "an integer from 0 to 2^53-1 (milliseconds)", member.value);
  }
  return Status::ok();
}

Status validatePromptBehavior(const rapidjson::Value& behavior, std::string_view where) {
  constexpr std::string_view kKey = "unhandledPromptBehavior";
  if (behavior.IsString()) {
    if (!oneOf(kPromptHandlers, stringOf(behavior)))
      return invalid(where, kKey, "one of " + listOf(kPromptHandlers), behavior);
    return Status::ok();
  }
  if (!behavior.IsObject())
    return invalid(where, kKey,
                   "one of " + listOf(kPromptHandlers) + ", or a map from prompt type to one",
                   behavior);
  std::string place = std::string(where) + "." + std::string(kKey);
  for (const auto& member : behavior.GetObject()) {
    std::string_view type = stringOf(member.name);
    if (!oneOf(kPromptTypes, type))
      return Status(ErrorCode::InvalidArgument, place + " has an unknown prompt type \"" +
                                                    std::string(type) +
                                                    "\"; allowed: " + listOf(kPromptTypes));
    if (!member.value.IsString() || !oneOf(kPromptHandlers, stringOf(member.value)))
      return invalid(place, type, "one of " + listOf(kPromptHandlers), member.value);
  }
  return Status::ok();
}

Status validateCapabilities(const rapidjson::Value& caps, std::string_view where) {
  for (const auto& member : caps.GetObject()) {
    std::string_view key = stringOf(member.name);
    const rapidjson::Value& value = member.value;
    // A null value removes the capability (WebDriver §7.2 step "if deserialized is null").
    if (value.IsNull())
      continue;
    if (key == "acceptInsecureCerts" || key == "setWindowRect" ||
        key == "strictFileInteractability" || key == "webSocketUrl") {
      if (!value.IsBool())
        return invalid(where, key, "a boolean", value);
    } else if (key == "browserName" || key == "browserVersion" || key == "platformName" ||
               key == "userAgent") {
      if (!value.IsString())
        return invalid(where, key, "a string", value);
    } else if (key == "pageLoadStrategy") {
      if (!value.IsString() ||
          (stringOf(value) != "none" && stringOf(value) != "eager" && stringOf(value) != "normal"))
        return invalid(where, key, "\"none\", \"eager\" or \"normal\"", value);
    } else if (key == "proxy") {
      Status status = validateProxy(value, where);
      if (!status.isOk())
        return status;
    } else if (key == "timeouts") {
      Status status = validateTimeouts(value, where);
      if (!status.isOk())
        return status;
    } else if (key == "unhandledPromptBehavior") {
      Status status = validatePromptBehavior(value, where);
      if (!status.isOk())
        return status;
    } else if (key == "wdhost:sessionTimeout") {
      // Seconds without a command before the host closes the session (bounded by the host).
      if (!value.IsUint64() || value.GetUint64() == 0)
        return invalid(where, key, "a whole number of seconds above 0", value);
    } else if (key == "wdhost:recording") {
      // What to record (webdriver/recording_capabilities.cpp checks its members).
      if (!value.IsObject())
        return invalid(where, key, "an object such as {\"video\": true}", value);
    } else if (key == "wdhost:liveView") {
      // A hand-off link to the live view (webdriver/session_start.cpp checks its members).
      if (!value.IsBool() && !value.IsObject())
        return invalid(where, key, "true, or an object such as {\"control\": true}", value);
    } else if (key == "wdhost:trace") {
      // A trace of the session (webdriver/trace_capabilities.cpp checks its members).
      if (!value.IsBool() && !value.IsString() && !value.IsObject())
        return invalid(where, key, "\"on\", \"on-failure\", \"off\", true, false or an object",
                       value);
    } else if (key.substr(0, 7) == "wdhost:") {
      return Status(ErrorCode::InvalidArgument,
                    std::string(where) + "." + std::string(key) +
                        " is not a capability this host knows; its own are: "
                        "wdhost:sessionTimeout, wdhost:recording, wdhost:liveView, wdhost:trace");
    } else if (key.find(':') == std::string_view::npos) {
      // Legacy (JSON Wire) names and typos land here, e.g. chromeOptions, version, platform.
      return Status(ErrorCode::InvalidArgument,
                    std::string(where) + "." + std::string(key) +
                        " is not a W3C capability; use a standard name or a vendor prefix "
                        "(\"goog:chromeOptions\", not \"chromeOptions\"; \"browserVersion\", "
                        "not \"version\"; \"platformName\", not \"platform\")");
    }
  }
  return Status::ok();
}

} // namespace wdh
