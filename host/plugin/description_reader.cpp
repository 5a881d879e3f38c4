#include "plugin/description_reader.h"

#include <utility>

namespace wdh {

bool readDescription(const rapidjson::Value& json, wdhost::Description* out, std::string* error) {
  if (!json.IsObject()) {
    *error = "describe() did not answer a JSON object";
    return false;
  }
  auto text = [](const rapidjson::Value& value) {
    return value.IsString() ? std::string(value.GetString(), value.GetStringLength())
                            : std::string();
  };
  auto program = [&](const rapidjson::Value& value) {
    wdhost::ProgramFound found;
    if (value.IsObject())
      for (auto [key, field] : {std::pair<const char*, std::string*>{"name", &found.name},
                                {"version", &found.version},
                                {"path", &found.path}})
        if (auto it = value.FindMember(key); it != value.MemberEnd())
          *field = text(it->value);
    return found;
  };
  wdhost::Description d;
  d.headless = false;
  for (const auto& member : json.GetObject()) {
    std::string key(member.name.GetString(), member.name.GetStringLength());
    const rapidjson::Value& value = member.value;
    if (key == "browserName") {
      d.browserName = text(value);
    } else if (key == "browserNames" && value.IsArray()) {
      for (const auto& alias : value.GetArray())
        if (!text(alias).empty())
          d.browserNames.push_back(text(alias));
    } else if (key == "platformName") {
      d.platformName = text(value);
    } else if (key == "headless") {
      d.headless = value.IsTrue();
    } else if (key == "downloads") {
      d.downloads = value.IsTrue();
    } else if (key == "startsAhead") {
      d.startsAhead = value.IsTrue();
    } else if (key == "browsers" && value.IsArray()) {
      for (const auto& item : value.GetArray())
        if (item.IsObject())
          d.browsers.push_back(program(item));
    } else if (key == "driver" && value.IsObject()) {
      d.driver = program(value);
    } else if (key == "guardedCapabilities") {
      if (!readGuardedCapabilities(value, &d.guarded, error))
        return false;
    } else if (value.IsString()) {
      d.details.emplace_back(key, text(value));
    }
  }
  if (d.browserName.empty()) {
    *error = "describe() did not name a browserName";
    return false;
  }
  *out = std::move(d);
  return true;
}

bool readGuardedCapabilities(const rapidjson::Value& json, wdhost::GuardedCapabilities* out,
                             std::string* error) {
  auto strings = [](const rapidjson::Value& value, std::vector<std::string>* list) {
    if (!value.IsArray())
      return false;
    for (const auto& item : value.GetArray()) {
      if (!item.IsString() || item.GetStringLength() == 0)
        return false;
      list->emplace_back(item.GetString(), item.GetStringLength());
    }
    return true;
  };
  const char* shape = "describe()'s guardedCapabilities must be {\"members\": [paths], "
                      "\"switches\": {path: {\"names\": [switches], \"ignoreCase\"?: bool, "
                      "\"shortOptions\"?: letters}}}";
  *error = shape;
  if (!json.IsObject())
    return false;
  wdhost::GuardedCapabilities guarded;
  for (const auto& member : json.GetObject()) {
    std::string key(member.name.GetString(), member.name.GetStringLength());
    const rapidjson::Value& value = member.value;
    if (key == "members") {
      if (!strings(value, &guarded.members))
        return false;
    } else if (key == "switches") {
      if (!value.IsObject())
        return false;
      for (const auto& entry : value.GetObject()) {
        wdhost::GuardedSwitches rule;
        rule.path.assign(entry.name.GetString(), entry.name.GetStringLength());
        const rapidjson::Value& spec = entry.value;
        if (rule.path.empty())
          return false;
        if (spec.IsArray()) {
          if (!strings(spec, &rule.names))
            return false;
        } else if (spec.IsObject()) {
          auto names = spec.FindMember("names");
          if (names == spec.MemberEnd() || !strings(names->value, &rule.names))
            return false;
          auto ignoreCase = spec.FindMember("ignoreCase");
          if (ignoreCase != spec.MemberEnd()) {
            if (!ignoreCase->value.IsBool())
              return false;
            rule.ignoreCase = ignoreCase->value.GetBool();
          }
          auto shortOptions = spec.FindMember("shortOptions");
          if (shortOptions != spec.MemberEnd()) {
            if (!shortOptions->value.IsString())
              return false;
            rule.shortOptions = shortOptions->value.GetString();
          }
        } else {
          return false;
        }
        guarded.switches.push_back(std::move(rule));
      }
    }
  }
  error->clear();
  *out = std::move(guarded);
  return true;
}

} // namespace wdh
