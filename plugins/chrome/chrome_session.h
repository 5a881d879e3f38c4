// Chrome sessions: a private chromedriver with a private work dir (its TMPDIR and the
// profile), started for a session or ahead of time, and the driver's session on it.
#pragma once

#include "chrome_config.h"
#include "chrome_discovery.h"

#include <memory>
#include <string_view>
#include <wdhost/driver_session.hpp>

namespace wdhost::chrome {

// Starts chromedriver for session `owner` ("" when started ahead of any session) with a
// private work dir, within `deadline` (the launch's; none ahead of one); throws
// wdhost::Error("session not created") saying why it could not.
wdhost::StartedDriver startChromeDriver(const wdhost::Host& host, const ChromeInstall& install,
                                        const ChromeConfig& config, std::string_view owner,
                                        const wdhost::Deadline& deadline = wdhost::Deadline());

// Creates the Chrome session on `driver` (its work dir holds the profile), taking the user
// agent from `userAgents` when it knows this configuration's, within `deadline` (the
// launch's); throws wdhost::Error("session not created") with chromedriver's own words.
std::unique_ptr<wdhost::Session>
startChromeSession(const wdhost::Host& host, const ChromeInstall& install,
                   const ChromeConfig& config, std::string_view sessionId,
                   std::string_view capabilities, wdhost::StartedDriver driver,
                   wdhost::UserAgentCache* userAgents = nullptr,
                   const wdhost::Deadline& deadline = wdhost::Deadline());

} // namespace wdhost::chrome
