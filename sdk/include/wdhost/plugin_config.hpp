// Optional header-only helper: reading a plugin's init() config object (the host's
// --plugin-option NAME.KEY=VALUE settings, values as strings, plus "headless" as a boolean).
// Every failure is wdhost::Error("invalid argument") naming NAME.KEY. Requires RapidJSON.
#pragma once

#include <rapidjson/document.h>
#include <string>
#include <string_view>
#include <wdhost/plugin.hpp>

namespace wdhost {

// One setting of a plugin's config.
class ConfigValue {
public:
  ConfigValue(std::string_view plugin, std::string_view key, const rapidjson::Value& value)
      : plugin_(plugin), key_(key), value_(value) {}

  // The key ("driver").
  std::string_view key() const noexcept { return key_; }

  // The value as a string.
  std::string text() const {
    if (!value_.IsString())
      fail("must be a string");
    return std::string(value_.GetString(), value_.GetStringLength());
  }

  // A boolean: true/false, or the strings "true"/"1"/"false"/"0".
  bool flag() const {
    if (value_.IsBool())
      return value_.GetBool();
    std::string s = text();
    if (s == "true" || s == "1")
      return true;
    if (s == "false" || s == "0")
      return false;
    fail("must be true or false");
  }

  // A whole number from 1 to `max`, given as a number or as decimal digits.
  unsigned number(unsigned max) const {
    std::string s = value_.IsUint() ? std::to_string(value_.GetUint()) : text();
    if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(s) == 0 || std::stoul(s) > max)
      fail("must be a whole number from 1 to " + std::to_string(max));
    return static_cast<unsigned>(std::stoul(s));
  }

  // Throws invalid argument: "<plugin>.<key> <what>".
  [[noreturn]] void fail(const std::string& what) const {
    throw Error("invalid argument", std::string(plugin_) + "." + std::string(key_) + " " + what);
  }

  // Throws invalid argument for a key the plugin does not know, listing the ones it does.
  [[noreturn]] void unknown(std::string_view known) const {
    throw Error("invalid argument", "unknown " + std::string(plugin_) + " plugin option '" +
                                        std::string(key_) + "'; known: " + std::string(known));
  }

private:
  std::string_view plugin_;
  std::string_view key_;
  const rapidjson::Value& value_;
};

// Calls `visit(const ConfigValue&)` for each member of the config object `json` (empty: none).
template <class Visit>
void readPluginConfig(std::string_view plugin, std::string_view json, Visit&& visit) {
  if (json.empty())
    return;
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject())
    throw Error("invalid argument",
                "the " + std::string(plugin) + " plugin's config is not a JSON object");
  for (const auto& member : doc.GetObject())
    visit(ConfigValue(plugin,
                      std::string_view(member.name.GetString(), member.name.GetStringLength()),
                      member.value));
}

} // namespace wdhost
