// The safari plugin: serves browserName "safari" (and, on Linux, "MiniBrowser", "webkitgtk",
// "wpe", "cog") with Safari via safaridriver on macOS, or with WebKit on Linux: WebKitGTK's
// MiniBrowser via WebKitWebDriver, or the WPE port (cog) via WPEWebDriver.
#include "safari_backend.h"
#include "safari_capabilities.h"
#include "safari_config.h"
#include "safari_discovery.h"
#include "safari_session.h"

#include <cstdlib>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <wdhost/description.hpp>
#include <wdhost/plugin.hpp>

namespace wdhost::safari {
namespace {

#if defined(__APPLE__)
constexpr bool kMacOS = true;
#else
constexpr bool kMacOS = false;
#endif

std::string environmentDisplay() {
  const char* display = std::getenv("DISPLAY");
  return display != nullptr ? display : "";
}

// Immutable after construction, so describe(), negotiate() and launch() are thread-safe.
class SafariPlugin : public wdhost::Plugin {
public:
  SafariPlugin(wdhost::Host host, std::string_view config)
      : wdhost::Plugin(host), config_(parseSafariConfig(config)),
        installs_(kMacOS ? discoverMac(host, config_) : discoverLinux(host, config_)),
        hostDisplay_(environmentDisplay()) {}

  std::string describe() override {
    std::string display = "unavailable";
    const Install* primary = nullptr;
    try {
      Plan plan = planFor(BackendRequest{});
      display = displayModeName(plan.display);
      primary = &installs_.forBackend(plan.backend);
    } catch (const wdhost::Error&) {
      primary = installs_.gtk ? &*installs_.gtk : installs_.wpe ? &*installs_.wpe : nullptr;
    }
    wdhost::Description description;
    description.browserName = "safari";
    // Other names a client may ask for; the host matches them to this plugin too.
    description.browserNames = {"MiniBrowser", "minibrowser", "webkitgtk", "wpe", "cog"};
    description.platformName = kMacOS ? "mac" : "linux";
    description.headless = config_.headless;
    // Safari on macOS allows one session at a time (SafariSlot): none can start ahead there.
    description.startsAhead = !kMacOS;
    description.guarded = guardedWebKitCapabilities();
    description.details = {{"display", display}};
    if (!installs_.xvfbPath.empty())
      description.details.emplace_back("xvfb", installs_.xvfbPath);
    for (const auto* install : {&installs_.gtk, &installs_.wpe, &installs_.safari})
      if (*install)
        description.browsers.push_back(
            {(*install)->browserName, (*install)->browserVersion, (*install)->browserPath});
    if (primary != nullptr)
      description.driver =
          wdhost::ProgramFound{primary->driverName, primary->driverVersion, primary->driverPath};
    return description.toJson();
  }

  std::optional<std::string> negotiate(std::string_view capabilities) override {
    rapidjson::Document caps = parse(capabilities, "invalid argument");
    if (!servesBrowserName(caps, kMacOS))
      return std::nullopt;
    validateCapabilities(caps, kMacOS);
    return std::string(capabilities);
  }

  std::unique_ptr<wdhost::Session> launchWithin(std::string_view sessionId,
                                                std::string_view capabilities,
                                                const wdhost::Deadline& deadline) override {
    rapidjson::Document caps = parse(capabilities, "session not created");
    Plan plan = planFor(kMacOS ? BackendRequest{} : backendRequest(caps));
    if (!kMacOS) {
      for (const std::string& key : droppedSafariKeys(caps))
        host().log(WDHOST_LOG_DEBUG, key + " is for Safari on macOS; dropped for WebKit on Linux");
    }
    host().log(WDHOST_LOG_INFO, std::string("safari session on ") + backendName(plan.backend) +
                                    " (" + displayModeName(plan.display) + ")");
    return std::make_unique<SafariSession>(host(), plan, installs_, config_, sessionId,
                                           capabilities, deadline);
  }

private:
  static rapidjson::Document parse(std::string_view json, const char* errorCode) {
    rapidjson::Document doc;
    doc.Parse(json.data(), json.size());
    if (doc.HasParseError() || !doc.IsObject())
      throw wdhost::Error(errorCode, "the capabilities are not a JSON object");
    return doc;
  }

  Plan planFor(const BackendRequest& request) const {
    if (kMacOS) {
      Plan plan;
      plan.backend = Backend::Safari;
      plan.display = DisplayMode::Native;
      return plan;
    }
    return chooseLinuxPlan(config_, installs_.availability(), hostDisplay_, request);
  }

  SafariConfig config_;
  Installs installs_;
  std::string hostDisplay_;
};

} // namespace
} // namespace wdhost::safari

WDHOST_DECLARE_PLUGIN(wdhost::safari::SafariPlugin, "org.wdhost.safari", "safari", "0.1.0")
