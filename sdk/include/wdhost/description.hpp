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

// One command-line array a plugin hands to its browser, and the switches in it a client may not
// set (see GuardedCapabilities). An argument's switch name is the argument without surrounding
// whitespace, cut at its first '=' or blank: "--x=v", "--x" followed by "v", and chromedriver's
// bare "x=v" all name switch x. Names are compared without their leading dashes, so "--x"
// covers "-x" and "x" too; '*' in a name matches any run of characters ("--*-cmd-prefix").
struct GuardedSwitches {
  std::string path;               // dotted path of the array: "goog:chromeOptions.args"
  std::vector<std::string> names; // "--user-data-dir", "--remote-debugging-*", "-profile"
  bool ignoreCase = false;        // the program compares switch names ignoring case (Firefox)
  // Letters of one-letter options that take a path, as GLib parses them: an argument of one
  // dash and letters ("-c", "-pc") is refused when any of its letters is here (WebKit's "csC").
  std::string shortOptions;
};

// Capabilities that reach the host's programs, files or ports (a browser binary, its
// environment, a profile, switches that run a program or name a path): the host refuses them in
// a client's New Session unless its operator passed --allow-client-binaries. Declared by each
// plugin in describe() as "guardedCapabilities"; applied by the host, before negotiate().
struct GuardedCapabilities {
  // Dotted paths of members refused when present with a value (not null, "", {} or []):
  // "goog:chromeOptions.binary". A key that itself holds dots matches as many segments, so
  // "moz:firefoxOptions.prefs.browser.download.dir" catches the pref however it is nested;
  // '*' matches any run of characters ("goog:chromeOptions.android*").
  std::vector<std::string> members;
  std::vector<GuardedSwitches> switches; // command-line arrays and their refused switches

  // True when nothing is guarded.
  bool empty() const noexcept { return members.empty() && switches.empty(); }
};

// What describe() tells the host; toJson() is the reply (the host reads it with its own reader).
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
  GuardedCapabilities guarded; // "guardedCapabilities": what clients may not send by default

  // {"browserName", "browserNames"?, "platformName", "headless", details..., "browsers",
  // "driver"?, "guardedCapabilities"?} as one JSON object.
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
    if (!guarded.empty()) {
      auto strings = [&w](const std::vector<std::string>& list) {
        w.StartArray();
        for (const std::string& item : list)
          w.String(item.c_str());
        w.EndArray();
      };
      w.Key("guardedCapabilities");
      w.StartObject();
      w.Key("members");
      strings(guarded.members);
      w.Key("switches");
      w.StartObject();
      for (const GuardedSwitches& rule : guarded.switches) {
        w.Key(rule.path.c_str());
        w.StartObject();
        w.Key("names");
        strings(rule.names);
        if (rule.ignoreCase) {
          w.Key("ignoreCase");
          w.Bool(true);
        }
        if (!rule.shortOptions.empty()) {
          w.Key("shortOptions");
          w.String(rule.shortOptions.c_str());
        }
        w.EndObject();
      }
      w.EndObject();
      w.EndObject();
    }
    w.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
  }
};

} // namespace wdhost
