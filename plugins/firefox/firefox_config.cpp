#include "firefox_config.h"

#include <rapidjson/document.h>
#include <wdhost/plugin.hpp>

namespace firefox {

const char* modeName(Mode mode) {
  switch (mode) {
  case Mode::Geckodriver:
    return "geckodriver";
  case Mode::Marionette:
    return "marionette";
  case Mode::Auto:
    break;
  }
  return "auto";
}

FirefoxConfig parseFirefoxConfig(std::string_view json) {
  FirefoxConfig config;
  if (json.empty())
    return config;
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject())
    throw wdhost::Error("invalid argument", "the firefox plugin's config is not a JSON object");
  for (const auto& member : doc.GetObject()) {
    std::string key = member.name.GetString();
    const rapidjson::Value& value = member.value;
    auto text = [&]() -> std::string {
      if (!value.IsString())
        throw wdhost::Error("invalid argument", "firefox." + key + " must be a string");
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
      throw wdhost::Error("invalid argument", "firefox." + key + " must be true or false");
    };
    if (key == "binary") {
      config.binary = text();
    } else if (key == "driver") {
      config.driver = text();
    } else if (key == "headless") {
      config.headless = flag();
    } else if (key == "mode") {
      std::string mode = text();
      if (mode == "auto")
        config.mode = Mode::Auto;
      else if (mode == "geckodriver")
        config.mode = Mode::Geckodriver;
      else if (mode == "marionette")
        config.mode = Mode::Marionette;
      else
        throw wdhost::Error("invalid argument",
                            "firefox.mode must be auto, geckodriver or marionette, not " + mode);
    } else if (key == "startupTimeoutMs") {
      std::string s = value.IsUint() ? std::to_string(value.GetUint()) : text();
      if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 9)
        throw wdhost::Error("invalid argument",
                            "firefox.startupTimeoutMs must be a number of milliseconds");
      config.startupTimeoutMs = static_cast<unsigned>(std::stoul(s));
    } else {
      throw wdhost::Error("invalid argument",
                          "unknown firefox plugin option '" + key +
                              "'; known: binary, driver, headless, mode, startupTimeoutMs");
    }
  }
  return config;
}

} // namespace firefox
