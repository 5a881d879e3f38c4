#include "json/json.h"

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

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
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string quoteJson(std::string_view text) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string_view jsonTypeName(const rapidjson::Value& value) {
  switch (value.GetType()) {
  case rapidjson::kNullType:
    return "null";
  case rapidjson::kFalseType:
  case rapidjson::kTrueType:
    return "a boolean";
  case rapidjson::kObjectType:
    return "an object";
  case rapidjson::kArrayType:
    return "an array";
  case rapidjson::kStringType:
    return "a string";
  case rapidjson::kNumberType:
    return "a number";
  }
  return "a value";
}

} // namespace wdh
