// New Session capability processing: the structure of "capabilities" and the merge of
// alwaysMatch with each firstMatch entry (WebDriver §7.2 "Processing capabilities").
#pragma once

#include "core/status.h"

#include <rapidjson/document.h>
#include <string>
#include <vector>

namespace wdh {

// From a New Session body (a JSON object), the merged capability sets in firstMatch order.
// InvalidArgument when "capabilities" is missing or malformed, or a key is in both
// alwaysMatch and a firstMatch entry.
Status mergeCapabilities(const rapidjson::Value& body, std::vector<rapidjson::Document>* merged);

// The capability asking for managed downloads (Selenium Grid's name), served by the host.
inline constexpr const char* kDownloadsEnabledCap = "se:downloadsEnabled";

// Moves the capabilities the host serves itself ("wdhost:*" and se:downloadsEnabled) out of
// `caps` into `hostCaps` (an object): an intermediary node must not forward its own extensions.
void extractHostCapabilities(rapidjson::Document* caps, rapidjson::Document* hostCaps);

} // namespace wdh

namespace wdh {

// What the host knows of the browser that serves a session, for completing its capabilities.
struct ServedBrowser {
  std::string browserName;    // "chrome"
  std::string browserVersion; // the installed version
  std::string platformName;   // "linux"
};

// Completes the capabilities a plugin returned: every standard capability present and typed
// (browserName, browserVersion, platformName, acceptInsecureCerts, pageLoadStrategy, proxy,
// setWindowRect, strictFileInteractability, timeouts, unhandledPromptBehavior, userAgent),
// missing ones taken from the request and then from the spec's defaults; "wdhost:" keys dropped.
void completeReturnedCapabilities(rapidjson::Value* caps, rapidjson::Document::AllocatorType& alloc,
                                  const rapidjson::Value& requested, const ServedBrowser& browser);

} // namespace wdh
