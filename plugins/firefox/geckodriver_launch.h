// What geckodriver mode sends: geckodriver's command line and its New Session body.
#pragma once

#include "firefox_config.h"
#include "firefox_discovery.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wdhost::firefox {

// geckodriver's argv: "{port}" (replaced by DriverSession with a free port) for --port and the
// allowed origin; Firefox's binary; Marionette and WebSocket ports chosen free by the caller;
// hosts and origins restricted to loopback.
std::vector<std::string> geckodriverArgv(const std::string& driverPath, const std::string& binary,
                                         uint16_t marionettePort, uint16_t websocketPort);

// The W3C New Session body for geckodriver: the negotiated `capabilities` (JSON) without
// browserVersion, moz:firefoxOptions completed with the binary and -headless (when `headless`
// and the user's args do not say it); the user's args, prefs, profile, log and env kept.
std::string geckodriverNewSessionBody(std::string_view capabilities, const std::string& binary,
                                      bool headless);

} // namespace wdhost::firefox
