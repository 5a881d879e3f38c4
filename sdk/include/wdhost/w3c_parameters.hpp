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

// One Set Window Rect member: null, or a number in [min, max] (WebDriver §11.8.2).
inline void checkRectMember(const char* key, const rapidjson::Value& value, double min,
                            double max) {
  if (value.IsNull())
    return;
  if (!value.IsNumber() || value.GetDouble() < min || value.GetDouble() > max)
    throw Error("invalid argument", std::string("\"") + key + "\" must be null or a number from " +
                                        std::to_string(static_cast<int64_t>(min)) + " to " +
                                        std::to_string(static_cast<int64_t>(max)) + ", not " +
                                        json::toJson(value));
}

// Set Window Rect: "width" and "height" null or 0..2^31-1, "x" and "y" null or -2^31..2^31-1.
inline void checkWindowRect(const rapidjson::Value& body) {
  constexpr double kMax = 2147483647.0;
  for (const char* key : {"width", "height"})
    if (auto it = body.FindMember(key); it != body.MemberEnd())
      checkRectMember(key, it->value, 0, kMax);
  for (const char* key : {"x", "y"})
    if (auto it = body.FindMember(key); it != body.MemberEnd())
      checkRectMember(key, it->value, -kMax - 1, kMax);
}

// The "origin" of one pointerMove or scroll action: absent, "viewport", "pointer" (pointerMove
// only) or an object (an element reference, checked by the browser) (WebDriver §17.3).
inline void checkActionOrigin(const rapidjson::Value& action) {
  auto origin = action.FindMember("origin");
  if (origin == action.MemberEnd() || origin->value.IsObject())
    return;
  auto type = action.FindMember("type");
  bool scroll = type != action.MemberEnd() && type->value.IsString() &&
                std::string_view(type->value.GetString()) == "scroll";
  if (origin->value.IsString()) {
    std::string_view text(origin->value.GetString(), origin->value.GetStringLength());
    if (text == "viewport" || (!scroll && text == "pointer"))
      return;
  }
  throw Error("invalid argument",
              std::string("the \"origin\" of a ") + (scroll ? "scroll" : "pointerMove") +
                  " action must be " + (scroll ? "\"viewport\"" : "\"viewport\", \"pointer\"") +
                  " or an element reference, not " + json::toJson(origin->value));
}

// Perform Actions: the origin of every pointerMove and scroll action; the browser checks the rest.
inline void checkActionOrigins(const rapidjson::Value& body) {
  auto sources = body.FindMember("actions");
  if (sources == body.MemberEnd() || !sources->value.IsArray())
    return;
  for (const auto& source : sources->value.GetArray()) {
    if (!source.IsObject())
      continue;
    auto actions = source.FindMember("actions");
    if (actions == source.MemberEnd() || !actions->value.IsArray())
      continue;
    for (const auto& action : actions->value.GetArray())
      if (action.IsObject())
        if (auto type = action.FindMember("type");
            type != action.MemberEnd() && type->value.IsString() &&
            (std::string_view(type->value.GetString()) == "pointerMove" ||
             std::string_view(type->value.GetString()) == "scroll"))
          checkActionOrigin(action);
  }
}

} // namespace w3c
} // namespace wdhost
