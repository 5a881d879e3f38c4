// Optional header-only helper: the JSON a plugin's describe() returns (what it serves and what
// it found installed), so each plugin fills a struct instead of writing the JSON by hand.
// Requires RapidJSON.
#pragma once

#include <optional>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <string>
#include <utility>
#include <vector>

namespace wdhost {

// An installed program: a browser or its driver.
struct ProgramFound {
  std::string name;    // "chromium", "chromedriver"
  std::string version; // as the program reports it
  std::string path;    // absolute path
};

// The capability the host adds to launch()'s capabilities when a session asked for managed
// downloads (and the plugin's Description says `downloads`): an absolute path to an existing,
// private, empty directory; the browser must save every download there without asking.
inline constexpr const char* kDownloadDirCapability = "wdhost:downloadDir";

// What describe() tells the host; toJson() is the reply, fromJson() how the host reads it.
struct Description {
  std::string browserName;               // the W3C browserName served
  std::vector<std::string> browserNames; // other names the host matches to this plugin
  std::string platformName;              // "linux", "mac", ...
  bool headless = true;                  // browsers run without windows
  // True when launch() honours "wdhost:downloadDir" in the capabilities: the browser saves
  // every download into that directory, without asking (managed downloads, se:downloadsEnabled).
  bool downloads = false;
  // True when the host may call launch() ahead of a New Session, on capabilities negotiate()
  // accepted before, under a placeholder session id: the host then hands the session whole to
  // the next New Session whose negotiated capabilities are the same, after making every
  // process and temp dir the placeholder owned the new session's. negotiate() should therefore
  // return the same text for configurations that launch alike (it is the key). Leave it false
  // when launch() keys anything else on the session id, or holds a resource only one session
  // may hold at a time.
  bool startsAhead = false;
  std::vector<std::pair<std::string, std::string>> details; // extra string fields ("mode")
  std::vector<ProgramFound> browsers;                       // every browser found
  std::optional<ProgramFound> driver;                       // the vendor driver, when one is used

  // {"browserName", "browserNames"?, "platformName", "headless", details..., "browsers",
  // "driver"?} as one JSON object.
  std::string toJson() const {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    auto program = [&w](const ProgramFound& found) {
      w.StartObject();
      w.Key("name");
      w.String(found.name.c_str());
      w.Key("version");
      w.String(found.version.c_str());
      w.Key("path");
      w.String(found.path.c_str());
      w.EndObject();
    };
    w.StartObject();
    w.Key("browserName");
    w.String(browserName.c_str());
    if (!browserNames.empty()) {
      w.Key("browserNames");
      w.StartArray();
      for (const std::string& alias : browserNames)
        w.String(alias.c_str());
      w.EndArray();
    }
    w.Key("platformName");
    w.String(platformName.c_str());
    w.Key("headless");
    w.Bool(headless);
    if (downloads) {
      w.Key("downloads");
      w.Bool(true);
    }
    if (startsAhead) {
      w.Key("startsAhead");
      w.Bool(true);
    }
    for (const auto& [key, value] : details) {
      w.Key(key.c_str());
      w.String(value.c_str());
    }
    w.Key("browsers");
    w.StartArray();
    for (const ProgramFound& found : browsers)
      program(found);
    w.EndArray();
    if (driver) {
      w.Key("driver");
      program(*driver);
    }
    w.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
  }

  // Reads a describe() reply (a JSON object) into `*out`; false with `*error` when it is not
  // one or names no browserName. Unknown string fields become details; others are ignored.
  static bool fromJson(const rapidjson::Value& json, Description* out, std::string* error) {
    if (!json.IsObject()) {
      *error = "describe() did not answer a JSON object";
      return false;
    }
    auto text = [](const rapidjson::Value& value) {
      return value.IsString() ? std::string(value.GetString(), value.GetStringLength())
                              : std::string();
    };
    auto program = [&](const rapidjson::Value& value) {
      ProgramFound found;
      if (value.IsObject())
        for (auto [key, field] : {std::pair<const char*, std::string*>{"name", &found.name},
                                  {"version", &found.version},
                                  {"path", &found.path}})
          if (auto it = value.FindMember(key); it != value.MemberEnd())
            *field = text(it->value);
      return found;
    };
    Description d;
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
};

} // namespace wdhost
