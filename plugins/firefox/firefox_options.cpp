#include "firefox_options.h"

#include <wdhost/json.hpp>
#include <wdhost/plugin.hpp>

namespace wdhost::firefox {
namespace {

[[noreturn]] void invalid(const std::string& what) {
  throw wdhost::Error("invalid argument", std::string(kOptionsKey) + "." + what);
}

bool isBase64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0)
    return false;
  std::size_t padding = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (c == '=') {
      ++padding;
      continue;
    }
    if (padding > 0 || !(alnum || c == '+' || c == '/'))
      return false;
  }
  return padding <= 2;
}

} // namespace

rapidjson::Document parseCapabilities(std::string_view json, const char* code) {
  rapidjson::Document caps;
  caps.Parse(json.data(), json.size());
  if (caps.HasParseError() || !caps.IsObject())
    throw wdhost::Error(code, "the capabilities are not a JSON object");
  return caps;
}

void validateFirefoxOptions(const rapidjson::Value& capabilities) {
  auto it = capabilities.FindMember(kOptionsKey);
  if (it == capabilities.MemberEnd())
    return;
  const rapidjson::Value& options = it->value;
  if (!options.IsObject())
    throw wdhost::Error("invalid argument", std::string(kOptionsKey) + " must be an object");
  for (const auto& member : options.GetObject()) {
    std::string key = member.name.GetString();
    const rapidjson::Value& value = member.value;
    if (key == "binary") {
      if (!value.IsString())
        invalid("binary must be a string");
    } else if (key == "args") {
      if (!value.IsArray())
        invalid("args must be an array of strings");
      for (const auto& arg : value.GetArray())
        if (!arg.IsString())
          invalid("args must be an array of strings");
    } else if (key == "prefs") {
      if (!value.IsObject())
        invalid("prefs must be an object");
      for (const auto& pref : value.GetObject())
        if (!pref.value.IsString() && !pref.value.IsBool() && !pref.value.IsInt64())
          invalid("prefs." + std::string(pref.name.GetString()) +
                  " must be a string, a boolean or an integer");
    } else if (key == "profile") {
      if (!value.IsString() ||
          !isBase64(std::string_view(value.GetString(), value.GetStringLength())))
        invalid("profile must be a base64-encoded zip of a profile directory");
    } else if (key == "log") {
      if (!value.IsObject())
        invalid("log must be an object");
      auto level = value.FindMember("level");
      if (level != value.MemberEnd() && !level->value.IsString())
        invalid("log.level must be a string");
    } else if (key == "env") {
      if (!value.IsObject())
        invalid("env must be an object of strings");
      for (const auto& var : value.GetObject())
        if (!var.value.IsString() || var.name.GetStringLength() == 0 ||
            std::string_view(var.name.GetString()).find('=') != std::string_view::npos)
          invalid("env must be an object of strings keyed by variable names");
    }
    // Other keys (androidPackage, ...) are geckodriver's business; forwarded or ignored.
  }
}

wdhost::GuardedCapabilities guardedFirefoxCapabilities() {
  wdhost::GuardedCapabilities guarded;
  guarded.members = {
      "moz:firefoxOptions.binary",                     // runs any program as the browser
      "moz:firefoxOptions.env",                        // LD_PRELOAD and friends
      "moz:firefoxOptions.profile",                    // a zipped directory unpacked on the host
      "moz:firefoxOptions.android*",                   // drives a device through the host's adb
      "moz:firefoxOptions.prefs.browser.download.dir", // saves downloads to a host path
      "moz:firefoxOptions.prefs.browser.download.downloadDir",
      "moz:firefoxOptions.prefs.browser.download.lastDir",
      "moz:firefoxOptions.prefs.browser.cache.disk.parent_directory",
      "moz:firefoxOptions.prefs.network.protocol-handler.app.*", // a program per URL scheme
      "moz:firefoxOptions.prefs.print.print_to_filename",        // writes prints to a path
      "moz:firefoxOptions.prefs.helpers.*",                      // mime and mailcap files
      "moz:firefoxOptions.prefs.general.config.*",               // autoconfig scripts
      "moz:firefoxOptions.prefs.security.sandbox.*",             // content processes' file access
      "moz:firefoxOptions.prefs.extensions.*Scopes",             // extensions from host directories
      "moz:firefoxOptions.prefs.devtools.debugger.remote-*",     // a debugger server
      "moz:firefoxOptions.prefs.marionette.port",
      "moz:firefoxOptions.prefs.app.update.*", // Firefox updating its own installation
  };
  // Firefox takes "-x", "--x" and "--x=v" alike and compares names ignoring case.
  guarded.switches = {{"moz:firefoxOptions.args",
                       {
                           "-profile", // the profile (the host's private one)
                           "-P",       // a profile of the host's user, by name
                           "-ProfileManager",
                           "-CreateProfile", // creates a profile at a path
                           "--remote-*",     // remote-debugging-port, remote-allow-hosts, ...
                           "-marionette",    // the plugin's own
                           "-start-debugger-server", // a debugger on a port or socket path
                           "-screenshot",            // writes a PNG to a path
                           "-setDefaultBrowser",     // changes the host user's settings
                           "-override",              // an override.ini from a path
                           "-appomni",               // code from a path
                           "-greomni", "-app", "-xpcshell", "-backgroundtask",
                           "-jsdebugger", // a second Firefox with a profile of its own
                           "-chrome",
                           "-MOZ_LOG_FILE", // writes logs to a path
                       },
                       true,
                       ""}};
  return guarded;
}

std::vector<std::pair<std::string, std::string>> downloadPrefs(const std::string& dir) {
  rapidjson::Value path(rapidjson::StringRef(dir.c_str(), dir.size()));
  return {{"browser.download.dir", wdhost::json::toJson(path)},
          {"browser.download.folderList", "2"},
          {"browser.download.useDownloadDir", "true"},
          {"browser.download.always_ask_before_handling_new_types", "false"},
          {"browser.download.manager.showWhenStarting", "false"},
          {"browser.download.start_downloads_in_tmp_dir", "false"},
          {"pdfjs.disabled", "true"}};
}

FirefoxOptions readFirefoxOptions(const rapidjson::Value& capabilities) {
  validateFirefoxOptions(capabilities);
  FirefoxOptions out;
  auto it = capabilities.FindMember(kOptionsKey);
  if (it != capabilities.MemberEnd()) {
    const rapidjson::Value& options = it->value;
    if (auto binary = options.FindMember("binary"); binary != options.MemberEnd())
      out.binary = binary->value.GetString();
    if (auto args = options.FindMember("args"); args != options.MemberEnd())
      for (const auto& arg : args->value.GetArray())
        out.args.emplace_back(arg.GetString(), arg.GetStringLength());
    if (auto prefs = options.FindMember("prefs"); prefs != options.MemberEnd())
      for (const auto& pref : prefs->value.GetObject())
        out.prefs.emplace_back(pref.name.GetString(), wdhost::json::toJson(pref.value));
    if (auto profile = options.FindMember("profile"); profile != options.MemberEnd())
      out.profileBase64 = profile->value.GetString();
    if (auto log = options.FindMember("log"); log != options.MemberEnd()) {
      auto level = log->value.FindMember("level");
      if (level != log->value.MemberEnd())
        out.logLevel = level->value.GetString();
    }
    if (auto env = options.FindMember("env"); env != options.MemberEnd())
      for (const auto& var : env->value.GetObject())
        out.env.push_back(std::string(var.name.GetString()) + "=" + var.value.GetString());
  }
  auto downloadDir = capabilities.FindMember(wdhost::kDownloadDirCapability);
  if (downloadDir != capabilities.MemberEnd() && downloadDir->value.IsString())
    for (auto& pref : downloadPrefs(downloadDir->value.GetString()))
      out.prefs.push_back(std::move(pref));
  return out;
}

bool hasHeadlessArg(const std::vector<std::string>& args) {
  for (const std::string& arg : args)
    if (arg == "-headless" || arg == "--headless")
      return true;
  return false;
}

std::string marionetteCapabilities(std::string_view capabilities) {
  rapidjson::Document caps = parseCapabilities(capabilities, "session not created");
  caps.RemoveMember(kOptionsKey);
  caps.RemoveMember("browserVersion");
  caps.RemoveMember(wdhost::kDownloadDirCapability); // applied as prefs of the profile
  // "webSocketUrl": false or null asks for no BiDi, as leaving it out does; Marionette takes
  // only true.
  if (auto bidi = caps.FindMember("webSocketUrl");
      bidi != caps.MemberEnd() && !bidi->value.IsTrue())
    caps.RemoveMember(bidi);
  return wdhost::json::toJson(caps);
}

} // namespace wdhost::firefox
