#include "webdriver/matching.h"

#include <algorithm>
#include <string>
#include <vector>

namespace wdh {
namespace {

std::string_view stringMember(const rapidjson::Value& caps, const char* name) {
  auto it = caps.FindMember(name);
  if (it == caps.MemberEnd() || !it->value.IsString())
    return {};
  return std::string_view(it->value.GetString(), it->value.GetStringLength());
}

} // namespace

namespace {

// The numeric components of a version ("128.5.0esr" -> 128, 5, 0); false if it has none.
bool components(std::string_view text, std::vector<unsigned long>* out) {
  out->clear();
  while (!text.empty()) {
    std::size_t dot = text.find('.');
    std::string_view part = text.substr(0, dot);
    std::size_t digits = 0;
    while (digits < part.size() && digits < 9 && part[digits] >= '0' && part[digits] <= '9')
      ++digits;
    if (digits == 0)
      return false;
    out->push_back(std::stoul(std::string(part.substr(0, digits))));
    text = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  }
  return !out->empty();
}

// -1, 0 or 1 comparing versions component by component, missing components being 0.
int compareVersions(const std::vector<unsigned long>& a, const std::vector<unsigned long>& b) {
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    unsigned long x = i < a.size() ? a[i] : 0;
    unsigned long y = i < b.size() ? b[i] : 0;
    if (x != y)
      return x < y ? -1 : 1;
  }
  return 0;
}

// One term: "156", "156.0.8078.79", ">=116", "<118", "<=120", ">115", "=156".
bool termMatches(std::string_view term, std::string_view version) {
  std::string_view op;
  for (std::string_view candidate : {">=", "<=", ">", "<", "="}) {
    if (term.substr(0, candidate.size()) == candidate) {
      op = candidate;
      break;
    }
  }
  std::string_view wanted = term.substr(op.size());
  if (op.empty() || op == "=") {
    // Exact, or a prefix of whole components, as Selenoid matches versions.
    if (wanted == version)
      return true;
    return version.size() > wanted.size() && version.substr(0, wanted.size()) == wanted &&
           version[wanted.size()] == '.';
  }
  std::vector<unsigned long> want, have;
  if (!components(wanted, &want) || !components(version, &have))
    return false;
  int order = compareVersions(have, want);
  if (op == ">=")
    return order >= 0;
  if (op == "<=")
    return order <= 0;
  if (op == ">")
    return order > 0;
  return order < 0;
}

} // namespace

bool versionMatches(std::string_view wanted, std::string_view version) {
  // Every space-separated term must hold (">=116 <118"); a blank request matches any version.
  while (!wanted.empty()) {
    std::size_t space = wanted.find(' ');
    std::string_view term = wanted.substr(0, space);
    wanted = space == std::string_view::npos ? std::string_view() : wanted.substr(space + 1);
    if (term.empty())
      continue;
    if (!termMatches(term, version))
      return false;
  }
  return true;
}

bool matchesPlugin(const rapidjson::Value& caps, const PluginDescription& description) {
  auto name = caps.FindMember("browserName");
  if (name != caps.MemberEnd() && name->value.IsString()) {
    std::string_view wanted = stringMember(caps, "browserName");
    bool named = wanted == description.browserName;
    for (const std::string& alias : description.browserNames)
      named = named || wanted == alias;
    if (!named)
      return false;
  }
  // Exact, as the spec says: "LINUX" and "any" do not match "linux".
  auto platform = caps.FindMember("platformName");
  if (platform != caps.MemberEnd() && platform->value.IsString() &&
      stringMember(caps, "platformName") != description.platformName)
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
