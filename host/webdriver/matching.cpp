#include "webdriver/matching.h"

namespace wdh {
namespace {

std::string_view stringMember(const rapidjson::Value& caps, const char* name) {
  auto it = caps.FindMember(name);
  if (it == caps.MemberEnd() || !it->value.IsString())
    return {};
  return std::string_view(it->value.GetString(), it->value.GetStringLength());
}

} // namespace

bool versionMatches(std::string_view wanted, std::string_view version) {
  if (wanted.empty() || wanted == version)
    return true;
  return version.size() > wanted.size() && version.substr(0, wanted.size()) == wanted &&
         version[wanted.size()] == '.';
}

bool matchesPlugin(const rapidjson::Value& caps, const PluginDescription& description) {
  std::string_view browserName = stringMember(caps, "browserName");
  if (!browserName.empty() && browserName != description.browserName)
    return false;
  std::string_view platformName = stringMember(caps, "platformName");
  if (!platformName.empty() && platformName != "any" && platformName != description.platformName)
    return false;
  std::string_view browserVersion = stringMember(caps, "browserVersion");
  if (browserVersion.empty())
    return true;
  for (const InstalledBrowser& browser : description.browsers)
    if (versionMatches(browserVersion, browser.version))
      return true;
  return false;
}

std::string describeOffer(const std::vector<std::shared_ptr<LoadedPlugin>>& plugins) {
  std::string out;
  for (const auto& plugin : plugins) {
    const PluginDescription& d = plugin->description();
    for (const InstalledBrowser& browser : d.browsers) {
      if (!out.empty())
        out += ", ";
      out +=
          d.browserName + " " + (browser.version.empty() ? "(unknown version)" : browser.version);
      if (!d.platformName.empty())
        out += " on " + d.platformName;
    }
  }
  return out.empty() ? "no browser plugins" : out;
}

} // namespace wdh
