// The firefox plugin: serves browserName "firefox" through geckodriver when there is one, else
// by speaking Marionette to Firefox itself (in-process, through the command hook).
#include "firefox_config.h"
#include "firefox_discovery.h"
#include "firefox_options.h"
#include "geckodriver_session.h"
#include "marionette_session.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <wdhost/description.hpp>
#include <wdhost/plugin.hpp>

namespace wdhost::firefox {
namespace {

// Immutable after construction, so describe() and negotiate() are thread-safe.
class FirefoxPlugin : public wdhost::Plugin {
public:
  FirefoxPlugin(wdhost::Host host, std::string_view config)
      : wdhost::Plugin(host), config_(parseFirefoxConfig(config)),
        install_(discoverFirefox(host, config_)) {}

  std::string describe() override {
    wdhost::Description description;
    description.browserName = "firefox";
    description.platformName = "linux";
    description.headless = config_.headless;
    description.downloads = true;
    description.startsAhead = true;
    description.guarded = guardedFirefoxCapabilities();
    description.details = {{"mode", modeName(install_.mode)}};
    description.browsers = {{"firefox", install_.browserVersion, install_.browserPath}};
    if (install_.mode == Mode::Geckodriver)
      description.driver =
          wdhost::ProgramFound{"geckodriver", install_.driverVersion, install_.driverPath};
    return description.toJson();
  }

  std::optional<std::string> negotiate(std::string_view capabilities) override {
    rapidjson::Document caps = parseCapabilities(capabilities, "invalid argument");
    auto name = caps.FindMember("browserName");
    if (name != caps.MemberEnd() &&
        (!name->value.IsString() || std::string_view(name->value.GetString()) != "firefox"))
      return std::nullopt;
    validateFirefoxOptions(caps);
    return std::string(capabilities);
  }

  std::unique_ptr<wdhost::Session> launchWithin(std::string_view sessionId,
                                                std::string_view capabilities,
                                                const wdhost::Deadline& deadline) override {
    if (install_.mode == Mode::Geckodriver)
      return std::make_unique<GeckodriverSession>(host(), install_, config_, sessionId,
                                                  capabilities, deadline);
    return std::make_unique<MarionetteSession>(host(), install_, config_, sessionId, capabilities,
                                               deadline);
  }

private:
  FirefoxConfig config_;
  FirefoxInstall install_;
};

} // namespace
} // namespace wdhost::firefox

WDHOST_DECLARE_PLUGIN(wdhost::firefox::FirefoxPlugin, "org.wdhost.firefox", "firefox", "0.1.0")
