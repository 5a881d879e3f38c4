#include "chrome_options.h"

#include <wdhost/driver_session.hpp>
#include <wdhost/json.hpp>
#include <wdhost/plugin.hpp>

namespace wdhost::chrome {
namespace {

constexpr const char* kOptionsKey = "goog:chromeOptions";

// The switch name of a flag: "--user-data-dir=/x" -> "--user-data-dir".
std::string_view switchName(std::string_view flag) {
  return flag.substr(0, flag.find('='));
}

bool hasSwitch(const rapidjson::Value& args, std::string_view name) {
  for (const auto& arg : args.GetArray()) {
    std::string_view text(arg.GetString(), arg.GetStringLength());
    if (switchName(text) == name)
      return true;
  }
  return false;
}

} // namespace

void validateChromeOptions(const rapidjson::Value& capabilities) {
  auto it = capabilities.FindMember(kOptionsKey);
  if (it == capabilities.MemberEnd())
    return;
  const rapidjson::Value& options = it->value;
  if (!options.IsObject())
    throw wdhost::Error("invalid argument", "goog:chromeOptions must be an object");
  auto args = options.FindMember("args");
  if (args != options.MemberEnd()) {
    if (!args->value.IsArray())
      throw wdhost::Error("invalid argument",
                          "goog:chromeOptions.args must be an array of strings");
    for (const auto& arg : args->value.GetArray())
      if (!arg.IsString())
        throw wdhost::Error("invalid argument",
                            "goog:chromeOptions.args must be an array of strings");
  }
  auto binary = options.FindMember("binary");
  if (binary != options.MemberEnd() && !binary->value.IsString())
    throw wdhost::Error("invalid argument", "goog:chromeOptions.binary must be a string");
}

wdhost::GuardedCapabilities guardedChromeCapabilities() {
  wdhost::GuardedCapabilities guarded;
  guarded.members = {
      "goog:chromeOptions.binary",          // runs any program as the browser
      "goog:chromeOptions.debuggerAddress", // drives a browser at any address, not the session's
      "goog:chromeOptions.minidumpPath",    // writes crash dumps to a host path
      "goog:chromeOptions.android*",        // drives a device through the host's adb
      "goog:chromeOptions.prefs.download.default_directory", // saves downloads to a host path
      "goog:chromeOptions.prefs.savefile.default_directory",
      "goog:chromeOptions.prefs.selectfile.last_directory",
  };
  // chromedriver passes "x=v" on as "--x=v", and Chrome compares switch names case-sensitively.
  guarded.switches = {{"goog:chromeOptions.args",
                       {
                           "--*-cmd-prefix",            // renderer-, utility-, gpu-: run a program
                           "--*-launcher",              // gpu-launcher, ppapi-plugin-launcher
                           "--browser-subprocess-path", // every child process's program
                           "--*-path",                  // programs and libraries to load
                           "--user-data-dir",           // the profile (the host's private one)
                           "--profile-directory",       // a profile relative to it
                           "--*-dir",                   // disk-cache-dir, crash-dumps-dir, ...
                           "--*-directory",
                           "--*-file",                    // log-file, ssl-key-log-file, trace files
                           "--remote-debugging-*",        // port, pipe, address: another controller
                           "--remote-allow-origins",      // pages talking to DevTools
                           "--load-extension",            // extensions from host paths
                           "--disable-extensions-except", // ditto
                           "--js-flags",                  // V8's --logfile, --prof, ...
                           "--log-net-log",               // writes a net log to a path
                           "--print-to-pdf",              // headless: writes a PDF to a path
                           "--screenshot",                // headless: writes a PNG to a path
                           "--trace-startup*",            // writes traces to a path
                           "--trace-to-file*",
                           "--enable-tracing-output",
                           "--custom-devtools-frontend", // DevTools' code from a host path
                           "--register-pepper-plugins",  // loads a library
                           "--breakpad-dump-location",
                       },
                       false,
                       ""}};
  return guarded;
}

std::vector<std::string> automationFlags(bool headless, bool runningAsRoot) {
  std::vector<std::string> flags = {"--no-first-run",
                                    "--no-default-browser-check",
                                    "--disable-background-networking",
                                    "--disable-component-update",
                                    "--disable-sync",
                                    "--disable-crash-reporter",
                                    "--disable-breakpad",
                                    "--disable-dev-shm-usage",
                                    "--password-store=basic",
                                    "--use-mock-keychain"};
  if (headless) {
    flags.emplace_back("--headless=new");
    flags.emplace_back("--disable-gpu");
  }
  // Chrome refuses to start as root with its sandbox on, as in most containers.
  if (runningAsRoot)
    flags.emplace_back("--no-sandbox");
  return flags;
}

void applyDownloadDir(rapidjson::Document* caps, rapidjson::Value* options,
                      rapidjson::Document::AllocatorType& alloc) {
  auto dir = caps->FindMember(kDownloadDirKey);
  if (dir == caps->MemberEnd())
    return;
  if (dir->value.IsString()) {
    if (!options->HasMember("prefs") || !(*options)["prefs"].IsObject()) {
      options->RemoveMember("prefs");
      options->AddMember("prefs", rapidjson::Value(rapidjson::kObjectType), alloc);
    }
    rapidjson::Value& prefs = (*options)["prefs"];
    // The host's directory wins over the user's: it is the one /se/files serves.
    auto set = [&](const char* name, rapidjson::Value value) {
      prefs.RemoveMember(name);
      prefs.AddMember(rapidjson::StringRef(name), value, alloc);
    };
    set("download.default_directory", rapidjson::Value(dir->value, alloc));
    set("savefile.default_directory", rapidjson::Value(dir->value, alloc));
    set("download.prompt_for_download", rapidjson::Value(false));
    set("download.directory_upgrade", rapidjson::Value(true));
  }
  caps->RemoveMember(kDownloadDirKey);
}

std::string driverNewSessionBody(std::string_view capabilities, const ChromeInstall& install,
                                 const ChromeConfig& config, const std::string& profileDir,
                                 bool runningAsRoot, std::string* userAgentKey) {
  rapidjson::Document caps;
  caps.Parse(capabilities.data(), capabilities.size());
  if (caps.HasParseError() || !caps.IsObject())
    throw wdhost::Error("session not created", "the negotiated capabilities are not an object");
  validateChromeOptions(caps);
  auto& alloc = caps.GetAllocator();
  // The host matched browserVersion against the installed browser already.
  caps.RemoveMember("browserVersion");

  if (!caps.HasMember(kOptionsKey))
    caps.AddMember(rapidjson::StringRef(kOptionsKey), rapidjson::Value(rapidjson::kObjectType),
                   alloc);
  rapidjson::Value& options = caps[kOptionsKey];
  if (!options.HasMember("binary"))
    options.AddMember("binary", rapidjson::Value(install.browserPath.c_str(), alloc), alloc);
  if (!options.HasMember("args"))
    options.AddMember("args", rapidjson::Value(rapidjson::kArrayType), alloc);
  rapidjson::Value& args = options["args"];
  applyDownloadDir(&caps, &options, alloc);

  // Headless only when neither the host shows windows nor the user chose a headless mode.
  bool userChoseHeadless = hasSwitch(args, "--headless");
  for (const std::string& flag :
       automationFlags(config.headless && !userChoseHeadless, runningAsRoot)) {
    if (!hasSwitch(args, switchName(flag)))
      args.PushBack(rapidjson::Value(flag.c_str(), alloc), alloc);
  }
  if (!hasSwitch(args, "--user-data-dir")) {
    std::string flag = "--user-data-dir=" + profileDir;
    args.PushBack(rapidjson::Value(flag.c_str(), alloc), alloc);
  }

  if (userAgentKey != nullptr) {
    *userAgentKey = options["binary"].IsString() ? options["binary"].GetString() : "";
    for (const auto& arg : args.GetArray()) {
      std::string_view name = switchName(std::string_view(arg.GetString(), arg.GetStringLength()));
      if (name == "--headless" || name == "--user-agent")
        userAgentKey->append("\n").append(arg.GetString(), arg.GetStringLength());
    }
    auto emulation = options.FindMember("mobileEmulation");
    if (emulation != options.MemberEnd()) {
      userAgentKey->append("\nmobileEmulation=").append(wdhost::json::toJson(emulation->value));
    }
  }
  return wdhost::newSessionBody(caps);
}

} // namespace wdhost::chrome
