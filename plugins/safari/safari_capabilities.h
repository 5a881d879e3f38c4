// Capabilities of a safari session: checked at negotiation, completed for the vendor driver, and
// the completed browser options echoed in the capabilities returned to the client.
//
// On Linux, "safari:*" capabilities are dropped (logged at debug level), not refused: they only
// mean something to safaridriver, and Selenium's SafariOptions sends some by default, so
// refusing them would fail every unchanged Safari client that is pointed at WebKit on Linux.
// On macOS the Linux ports' options ("webkitgtk:browserOptions", "wpe:browserOptions") are
// refused with invalid argument, as Safari cannot honour them.
#pragma once

#include "safari_backend.h"

#include <rapidjson/document.h>
#include <string>
#include <string_view>
#include <vector>
#include <wdhost/description.hpp>

namespace wdhost::safari {

// What of webkitgtk:browserOptions and wpe:browserOptions reaches the host's programs and files:
// the binary, certificate files, and the MiniBrowser, cog, GTK and GStreamer options that read or
// write a path or load code. The host refuses them unless --allow-client-binaries.
wdhost::GuardedCapabilities guardedWebKitCapabilities();

// "webkitgtk:browserOptions" or "wpe:browserOptions" (nullptr for Safari).
const char* optionsKey(Backend backend);

// The backend the capabilities name: browserName "MiniBrowser"/"webkitgtk" or webkitgtk options
// → "webkitgtk", "wpe"/"cog" or wpe options → "wpe", else "". browserVersion is copied.
// Throws wdhost::Error("invalid argument") when they name both ports.
BackendRequest backendRequest(const rapidjson::Value& capabilities);

// True when this plugin serves the capabilities' browserName ("safari", its aliases, or none).
bool servesBrowserName(const rapidjson::Value& capabilities, bool macos);

// Throws wdhost::Error("invalid argument") when a vendor option is malformed, or names a Linux
// port on macOS.
void validateCapabilities(const rapidjson::Value& capabilities, bool macos);

// The "safari:*" keys present, which a Linux session drops.
std::vector<std::string> droppedSafariKeys(const rapidjson::Value& capabilities);

// The New Session body for WebKitWebDriver or WPEWebDriver: the negotiated capabilities without
// browserName/browserVersion/platformName (the host matched them) and "safari:*", with the
// port's browser options completed: binary (`browserPath` unless the client set one), args with
// "--automation" (and "--platform=headless" for cog unless a platform is chosen), and for
// WebKitGTK useOverlayScrollbars (true unless set).
std::string webkitNewSessionBody(std::string_view capabilities, Backend backend,
                                 const std::string& browserPath);

// The New Session body for safaridriver: the capabilities with browserName "safari" and the
// "safari:*" keys forwarded as given.
std::string safariNewSessionBody(std::string_view capabilities);

// The driver's launch reply with the completed browser options of `body` added to the returned
// capabilities (the drivers do not echo them), so the client sees what the session runs.
std::string replyWithBrowserOptions(const std::string& launchReply, const std::string& body,
                                    Backend backend);

} // namespace wdhost::safari
