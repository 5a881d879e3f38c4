#include "chrome_config.h"

#include <rapidjson/document.h>
#include <wdhost/plugin.hpp>

namespace chrome {

ChromeConfig parseChromeConfig(std::string_view json) {
  ChromeConfig config;
  if (json.empty())
    return config;
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject())
    throw wdhost::Error("invalid argument", "the chrome plugin's config is not a JSON object");
  for (const auto& member : doc.GetObject()) {
    std::string key = member.name.GetString();
    const rapidjson::Value& value = member.value;
    auto text = [&]() -> std::string {
      if (!value.IsString())
        throw wdhost::Error("invalid argument", "chrome." + key + " must be a string");
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
      throw wdhost::Error("invalid argument", "chrome." + key + " must be true or false");
    };
    if (key == "driver")
      config.driver = text();
    else if (key == "binary")
      config.binary = text();
    else if (key == "headless")
      config.headless = flag();
    else if (key == "startupTimeoutMs")
      config.startupTimeoutMs = static_cast<unsigned>(std::stoul(text()));
    else
      throw wdhost::Error("invalid argument",
                          "unknown chrome plugin option '" + key +
                              "'; known: driver, binary, headless, startupTimeoutMs");
  }
  return config;
}

} // namespace chrome
