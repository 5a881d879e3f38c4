// The chrome plugin: serves browserName "chrome" with Chrome or Chromium via chromedriver.
#include "chrome_config.h"
#include "chrome_discovery.h"
#include "chrome_options.h"
#include "chrome_session.h"

#include <rapidjson/document.h>
#include <wdhost/description.hpp>
#include <wdhost/driver_pool.hpp>
#include <wdhost/plugin.hpp>

namespace wdhost::chrome {
namespace {

// Immutable after construction, so describe() and negotiate() are thread-safe.
class ChromePlugin : public wdhost::Plugin {
public:
  ChromePlugin(wdhost::Host host, std::string_view config)
      : wdhost::Plugin(host), config_(parseChromeConfig(config)),
        install_(discoverChrome(host, config_)),
        pool_(host, [this] { return startChromeDriver(this->host(), install_, config_, ""); }) {}

  std::string describe() override {
    wdhost::Description description;
    description.browserName = "chrome";
    description.platformName = "linux";
    description.headless = config_.headless;
    description.downloads = true;
    description.startsAhead = true;
    description.guarded = guardedChromeCapabilities();
    description.browsers = {{install_.browserKind, install_.browserVersion, install_.browserPath}};
    description.driver =
        wdhost::ProgramFound{"chromedriver", install_.driverVersion, install_.driverPath};
    return description.toJson();
  }

  std::optional<std::string> negotiate(std::string_view capabilities) override {
    rapidjson::Document caps;
    caps.Parse(capabilities.data(), capabilities.size());
    if (caps.HasParseError() || !caps.IsObject())
      throw wdhost::Error("invalid argument", "the capabilities are not a JSON object");
    auto name = caps.FindMember("browserName");
    if (name != caps.MemberEnd() &&
        (!name->value.IsString() || std::string_view(name->value.GetString()) != "chrome"))
      return std::nullopt;
    validateChromeOptions(caps);
    return std::string(capabilities);
  }

  std::unique_ptr<wdhost::Session> launchWithin(std::string_view sessionId,
                                                std::string_view capabilities,
                                                const wdhost::Deadline& deadline) override {
    // The pool starts the taken driver's replacement once this launch is done.
    wdhost::DriverPool::Lease lease = pool_.lease();
    wdhost::StartedDriver driver =
        lease.driver ? std::move(*lease.driver)
                     : startChromeDriver(host(), install_, config_, sessionId, deadline);
    // A driver started ahead brings its work dir (the profile): both become the session's, so
    // the host ends and removes them with it whatever the plugin does.
    return startChromeSession(host(), install_, config_, sessionId, capabilities, std::move(driver),
                              &userAgents_, deadline);
  }

  void warm(uint32_t count) override { pool_.setTarget(count); }

private:
  ChromeConfig config_;
  ChromeInstall install_;
  wdhost::UserAgentCache userAgents_; // what each launch configuration's pages reported
  wdhost::DriverPool pool_;           // last: destroyed (joined) before what its thread uses
};

} // namespace
} // namespace wdhost::chrome

WDHOST_DECLARE_PLUGIN(wdhost::chrome::ChromePlugin, "org.wdhost.chrome", "chrome", "0.1.0")
