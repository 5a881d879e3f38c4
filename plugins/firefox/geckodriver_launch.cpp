#include "geckodriver_launch.h"

#include "firefox_options.h"

#include <wdhost/driver_session.hpp>

namespace wdhost::firefox {

std::vector<std::string> geckodriverArgv(const std::string& driverPath, const std::string& binary,
                                         uint16_t marionettePort, uint16_t websocketPort) {
  return {driverPath,
          "--port",
          "{port}",
          "--binary",
          binary,
          "--marionette-port",
          std::to_string(marionettePort),
          "--websocket-port",
          std::to_string(websocketPort),
          "--allow-hosts",
          "127.0.0.1",
          "localhost",
          "--allow-origins",
          "http://127.0.0.1:{port}"};
}

std::string geckodriverNewSessionBody(std::string_view capabilities, const std::string& binary,
                                      bool headless) {
  rapidjson::Document caps = parseCapabilities(capabilities, "session not created");
  FirefoxOptions options = readFirefoxOptions(caps);
  auto& alloc = caps.GetAllocator();
  caps.RemoveMember("browserVersion");
  if (!caps.HasMember(kOptionsKey))
    caps.AddMember(rapidjson::StringRef(kOptionsKey), rapidjson::Value(rapidjson::kObjectType),
                   alloc);
  rapidjson::Value& moz = caps[kOptionsKey];
  if (!moz.HasMember("binary"))
    moz.AddMember("binary", rapidjson::Value(binary.c_str(), alloc), alloc);
  if (!moz.HasMember("args"))
    moz.AddMember("args", rapidjson::Value(rapidjson::kArrayType), alloc);
  if (headless && !hasHeadlessArg(options.args))
    moz["args"].PushBack(rapidjson::Value("-headless", alloc), alloc);
  auto downloadDir = caps.FindMember(wdhost::kDownloadDirCapability);
  if (downloadDir != caps.MemberEnd()) {
    if (downloadDir->value.IsString()) {
      if (!moz.HasMember("prefs"))
        moz.AddMember("prefs", rapidjson::Value(rapidjson::kObjectType), alloc);
      rapidjson::Document literal;
      for (const auto& [name, value] : downloadPrefs(downloadDir->value.GetString())) {
        literal.Parse(value.c_str(), value.size());
        moz["prefs"].RemoveMember(name.c_str());
        moz["prefs"].AddMember(rapidjson::Value(name.c_str(), alloc),
                               rapidjson::Value(literal, alloc), alloc);
      }
    }
    caps.RemoveMember(wdhost::kDownloadDirCapability);
  }

  return wdhost::newSessionBody(caps);
}

} // namespace wdhost::firefox
