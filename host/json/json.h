// RapidJSON helpers shared by the host: strict parsing of untrusted input and serialisation.
#pragma once

#include "core/status.h"

#include <rapidjson/document.h>
#include <string>
#include <string_view>

namespace wdh {

// Parses untrusted UTF-8 JSON (validated encoding, iterative so depth cannot overflow the
// stack); InvalidArgument with the offset and reason on failure.
Status parseJson(std::string_view text, rapidjson::Document* out);

// Parses text that must be a JSON object; InvalidArgument otherwise.
Status parseJsonObject(std::string_view text, rapidjson::Document* out);

// Compact serialisation of a value.
std::string toJson(const rapidjson::Value& value);

// A JSON string literal (with quotes) for `text`.
std::string quoteJson(std::string_view text);

// The name of a JSON value's type as the spec's error messages say it ("a string", "null").
std::string_view jsonTypeName(const rapidjson::Value& value);

} // namespace wdh
