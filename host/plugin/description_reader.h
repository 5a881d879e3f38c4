// The host's reader of a plugin's describe() reply (the SDK's wdhost::Description writes it):
// what it serves, what it found installed, and what clients may not send it.
#pragma once

#include <rapidjson/document.h>
#include <string>
#include <wdhost/description.hpp>

namespace wdh {

// Reads a describe() reply (a JSON object) into `*out`; false with `*error` when it is not one,
// names no browserName, or has a malformed "guardedCapabilities". Unknown string fields become
// details; other unknown fields are ignored.
bool readDescription(const rapidjson::Value& json, wdhost::Description* out, std::string* error);

// Reads "guardedCapabilities": {"members": [...], "switches": {PATH: {"names": [...],
// "ignoreCase"?, "shortOptions"?} or [...names]}}; false with `*error` when malformed, so that
// a plugin's protection is never silently dropped.
bool readGuardedCapabilities(const rapidjson::Value& json, wdhost::GuardedCapabilities* out,
                             std::string* error);

} // namespace wdh
