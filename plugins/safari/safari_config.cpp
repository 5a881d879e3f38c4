#include "safari_config.h"

#include <rapidjson/document.h>
#include <wdhost/plugin.hpp>

namespace safari {

bool isXDisplayName(std::string_view display) {
  if (display.size() < 2 || display.front() != ':')
    return false;
  bool dot = false;
  for (std::size_t i = 1; i < display.size(); ++i) {
    char c = display[i];
    if (c == '.' && !dot && i > 1 && i + 1 < display.size())
      dot = true;
    else if (c < '0' || c > '9')
      return false;
  }
  return true;
}

SafariConfig parseSafariConfig(std::string_view json) {
  SafariConfig config;
  if (json.empty())
    return config;
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject())
    throw wdhost::Error("invalid argument", "the safari plugin's config is not a JSON object");
  for (const auto& member : doc.GetObject()) {
    std::string key = member.name.GetString();
    const rapidjson::Value& value = member.value;
    auto text = [&]() -> std::string {
      if (!value.IsString())
        throw wdhost::Error("invalid argument", "safari." + key + " must be a string");
      return value.GetString();
    };
    auto flag = [&]() -> bool {
      if (value.IsBool())
        return value.GetBool();
      std::string s = text();
      if (s == "true" || s == "1")
        return true;
      if (s == "false" || s == "0")
        return false;
      throw wdhost::Error("invalid argument", "safari." + key + " must be true or false");
    };
    if (key == "driver")
      config.driver = text();
    else if (key == "binary")
      config.binary = text();
    else if (key == "headless")
      config.headless = flag();
    else if (key == "display") {
      config.display = text();
      if (config.display.empty())
        config.display = "auto";
      if (config.display != "auto" && config.display != "wpe" && config.display != "xvfb" &&
          !isXDisplayName(config.display))
        throw wdhost::Error("invalid argument", "safari.display must be auto, wpe, xvfb or an X "
                                                "display such as :1, not '" +
                                                    config.display + "'");
    } else if (key == "startupTimeoutMs") {
      std::string s = text();
      if (s.empty() || s.size() > 7 || s.find_first_not_of("0123456789") != std::string::npos)
        throw wdhost::Error("invalid argument", "safari.startupTimeoutMs must be a number of ms");
      config.startupTimeoutMs = static_cast<unsigned>(std::stoul(s));
    } else
      throw wdhost::Error("invalid argument",
                          "unknown safari plugin option '" + key +
                              "'; known: driver, binary, headless, display, startupTimeoutMs");
  }
  return config;
}

} // namespace safari
