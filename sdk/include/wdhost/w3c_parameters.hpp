// Optional header-only helper (needs RapidJSON): the W3C WebDriver parameter checks a plugin
// that serves commands in-process must make before its browser sees them, so that bad input
// gets the error the spec names ("invalid argument") whatever the browser would answer.
// Each check throws wdhost::Error("invalid argument", what to fix) and returns otherwise.
#pragma once

#include <cmath>
#include <cstdint>
#include <rapidjson/document.h>
#include <string>
#include <string_view>
#include <wdhost/json.hpp>
#include <wdhost/plugin.hpp>

namespace wdhost {
namespace w3c {

// The largest integer a timeout may be: 2^53 - 1 (the spec's "maximum safe integer").
constexpr uint64_t kMaxSafeInteger = 9007199254740991ull;

// True for the five location strategies of Find Element(s) (WebDriver §12.2).
inline bool isLocationStrategy(std::string_view using_) noexcept {
  return using_ == "css selector" || using_ == "link text" || using_ == "partial link text" ||
         using_ == "tag name" || using_ == "xpath";
}

// Find Element(s), From Element, From Shadow Root: {"using": strategy, "value": string}.
inline void checkLocator(const rapidjson::Value& body) {
  auto using_ = body.FindMember("using");
  if (using_ == body.MemberEnd() || !using_->value.IsString() ||
      !isLocationStrategy(
          std::string_view(using_->value.GetString(), using_->value.GetStringLength())))
    throw Error("invalid argument",
                "\"using\" must be one of \"css selector\", \"link text\", \"partial link text\", "
                "\"tag name\" or \"xpath\"");
  auto value = body.FindMember("value");
  if (value == body.MemberEnd() || !value->value.IsString())
    throw Error(
        "invalid argument",
        std::string("\"value\" must be a string (the selector), not ") +
            std::string(value == body.MemberEnd() ? "missing" : json::typeName(value->value)));
}

// One Set Timeouts value: null or an integer 0..2^53-1 (WebDriver §9 "timeouts configuration").
inline void checkTimeout(const char* key, const rapidjson::Value& value) {
  if (value.IsNull())
    return;
  bool integral = value.IsUint64() || (value.IsDouble() && value.GetDouble() >= 0 &&
                                       std::floor(value.GetDouble()) == value.GetDouble() &&
                                       value.GetDouble() <= static_cast<double>(kMaxSafeInteger));
  if (!integral || (value.IsUint64() && value.GetUint64() > kMaxSafeInteger))
    throw Error("invalid argument", std::string("\"") + key +
                                        "\" must be null or an integer from 0 to 2^53-1 "
                                        "milliseconds");
}

// Set Timeouts: each of "script", "pageLoad" and "implicit" present is checked; other keys are
// ignored, as the spec says.
inline void checkTimeouts(const rapidjson::Value& body) {
  for (const char* key : {"script", "pageLoad", "implicit"})
    if (auto it = body.FindMember(key); it != body.MemberEnd())
      checkTimeout(key, it->value);
}

// New Window: "type" absent, null or a string (a hint: "tab" or "window").
inline void checkNewWindow(const rapidjson::Value& body) {
  auto type = body.FindMember("type");
  if (type != body.MemberEnd() && !type->value.IsNull() && !type->value.IsString())
    throw Error("invalid argument", std::string("\"type\" must be \"tab\", \"window\" or null, "
                                                "not ") +
                                        std::string(json::typeName(type->value)));
}

// Execute Script and Execute Async Script: "script" a string, "args" absent or an array.
inline void checkScript(const rapidjson::Value& body) {
  auto script = body.FindMember("script");
  if (script == body.MemberEnd() || !script->value.IsString())
    throw Error("invalid argument", "\"script\" must be a string (the function body)");
  auto args = body.FindMember("args");
  if (args != body.MemberEnd() && !args->value.IsArray())
    throw Error("invalid argument", "\"args\" must be an array");
}

} // namespace w3c
} // namespace wdhost
