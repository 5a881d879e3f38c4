// goog:chromeOptions: checked at negotiation, completed before the session goes to chromedriver.
#pragma once

#include "chrome_config.h"
#include "chrome_discovery.h"

#include <rapidjson/document.h>
#include <string>
#include <string_view>
#include <vector>
#include <wdhost/description.hpp>

namespace wdhost::chrome {

// Throws wdhost::Error("invalid argument") when goog:chromeOptions is present but malformed.
void validateChromeOptions(const rapidjson::Value& capabilities);

// What of goog:chromeOptions reaches the host's programs, files or ports: the binary, an
// attached or Android browser, dump and download paths, and the switches that run a program,
// name a path or open a debugging port. The host refuses them unless --allow-client-binaries.
wdhost::GuardedCapabilities guardedChromeCapabilities();

// The host's download directory capability (managed downloads).
inline constexpr const char* kDownloadDirKey = wdhost::kDownloadDirCapability;

// Moves "wdhost:downloadDir" out of `caps` into `options` (goog:chromeOptions) as the prefs
// that make Chrome save every download there without asking.
void applyDownloadDir(rapidjson::Document* caps, rapidjson::Value* options,
                      rapidjson::Document::AllocatorType& alloc);

// The flags wdhost adds so Chrome runs unattended (headless ones only when `headless`).
std::vector<std::string> automationFlags(bool headless, bool runningAsRoot);

// The New Session body for chromedriver: `capabilities` (negotiated, JSON) with
// goog:chromeOptions completed by the binary, the automation flags the user did not set,
// and a private profile in `profileDir` unless the user chose one. `userAgentKey`, when not
// null, receives what in these options decides the browser's user agent (binary, headless
// mode, --user-agent, mobileEmulation), so sessions that share it share the agent.
std::string driverNewSessionBody(std::string_view capabilities, const ChromeInstall& install,
                                 const ChromeConfig& config, const std::string& profileDir,
                                 bool runningAsRoot, std::string* userAgentKey = nullptr);

} // namespace wdhost::chrome
