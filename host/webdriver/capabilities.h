// New Session capability processing: the structure of "capabilities" and the merge of
// alwaysMatch with each firstMatch entry (WebDriver §7.2 "Processing capabilities").
#pragma once

#include "core/status.h"

#include <rapidjson/document.h>
#include <vector>

namespace wdh {

// From a New Session body (a JSON object), the merged capability sets in firstMatch order.
// InvalidArgument when "capabilities" is missing or malformed, or a key is in both
// alwaysMatch and a firstMatch entry.
Status mergeCapabilities(const rapidjson::Value& body, std::vector<rapidjson::Document>* merged);

// Moves the host's own extension capabilities ("wdhost:*") out of `caps` into `hostCaps`
// (an object): an intermediary node must not forward its own extensions.
void extractHostCapabilities(rapidjson::Document* caps, rapidjson::Document* hostCaps);

} // namespace wdh
