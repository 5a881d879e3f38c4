#include "json/json.h"

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <wdhost/json.hpp>

namespace wdh {

Status parseJson(std::string_view text, rapidjson::Document* out) {
  constexpr unsigned kFlags =
      rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;
  out->Parse<kFlags>(text.data(), text.size());
  if (out->HasParseError()) {
    return Status(ErrorCode::InvalidArgument,
                  std::string("the body is not valid JSON: ") +
                      rapidjson::GetParseError_En(out->GetParseError()) + " at offset " +
                      std::to_string(out->GetErrorOffset()));
  }
  return Status::ok();
}

Status parseJsonObject(std::string_view text, rapidjson::Document* out) {
  Status status = parseJson(text, out);
  if (!status.isOk())
    return status;
  if (!out->IsObject()) {
    return Status(ErrorCode::InvalidArgument, std::string("the body must be a JSON object, not ") +
                                                  std::string(jsonTypeName(*out)));
  }
  return Status::ok();
}

std::string toJson(const rapidjson::Value& value) {
  return wdhost::json::toJson(value);
}

std::string quoteJson(std::string_view text) {
  return wdhost::json::quote(text);
}

std::string_view jsonTypeName(const rapidjson::Value& value) {
  return wdhost::json::typeName(value);
}

} // namespace wdh
