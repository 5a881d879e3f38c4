#include "marionette_protocol.h"

#include <rapidjson/document.h>
#include <wdhost/json.hpp>
#include <wdhost/plugin.hpp>

namespace wdhost::firefox {

using wdhost::json::toJson;
namespace {

constexpr std::size_t kMaxFrameBytes = 512u * 1024u * 1024u;
constexpr std::size_t kMaxLengthDigits = 10;

[[noreturn]] void protocolError(const std::string& why) {
  throw wdhost::Error("unknown error", "Marionette protocol error: " + why);
}

} // namespace

std::string encodeFrame(std::string_view json) {
  std::string frame = std::to_string(json.size());
  frame.reserve(frame.size() + 1 + json.size());
  frame += ':';
  frame.append(json);
  return frame;
}

void FrameDecoder::feed(std::string_view bytes) {
  buffer_.append(bytes);
}

std::optional<std::string> FrameDecoder::next() {
  std::size_t colon = buffer_.find(':');
  if (colon == std::string::npos) {
    if (buffer_.size() > kMaxLengthDigits)
      protocolError("no length prefix in \"" + buffer_.substr(0, 40) + "\"");
    for (char c : buffer_)
      if (c < '0' || c > '9')
        protocolError("bad length prefix \"" + buffer_.substr(0, 40) + "\"");
    return std::nullopt;
  }
  if (colon == 0 || colon > kMaxLengthDigits)
    protocolError("bad length prefix \"" + buffer_.substr(0, 40) + "\"");
  std::size_t length = 0;
  for (std::size_t i = 0; i < colon; ++i) {
    char c = buffer_[i];
    if (c < '0' || c > '9')
      protocolError("bad length prefix \"" + buffer_.substr(0, 40) + "\"");
    length = length * 10 + static_cast<std::size_t>(c - '0');
  }
  if (length > kMaxFrameBytes)
    protocolError("frame of " + std::to_string(length) + " bytes is too large");
  if (buffer_.size() - colon - 1 < length)
    return std::nullopt;
  std::string json = buffer_.substr(colon + 1, length);
  buffer_.erase(0, colon + 1 + length);
  return json;
}

std::string commandMessage(uint64_t id, std::string_view name, std::string_view params) {
  std::string text = "[0," + std::to_string(id) + ",";
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.String(name.data(), static_cast<rapidjson::SizeType>(name.size()));
  text.append(buffer.GetString(), buffer.GetSize());
  text += ",";
  text.append(params.empty() ? std::string_view("{}") : params);
  text += "]";
  return text;
}

Reply parseReply(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsArray() || doc.Size() != 4 || !doc[0].IsInt() ||
      doc[0].GetInt() != 1 || !doc[1].IsUint64())
    protocolError("not a reply: " + std::string(json.substr(0, 200)));
  Reply reply;
  reply.id = doc[1].GetUint64();
  const rapidjson::Value& error = doc[2];
  if (!error.IsNull()) {
    reply.failed = true;
    if (error.IsObject()) {
      auto code = error.FindMember("error");
      auto message = error.FindMember("message");
      if (code != error.MemberEnd() && code->value.IsString())
        reply.error = code->value.GetString();
      if (message != error.MemberEnd() && message->value.IsString())
        reply.message = message->value.GetString();
      auto data = error.FindMember("data");
      if (data != error.MemberEnd() && data->value.IsObject() && data->value.MemberCount() > 0)
        reply.data = toJson(data->value);
    }
    if (reply.error.empty())
      reply.error = "unknown error";
    if (reply.message.empty())
      reply.message = error.IsObject() && error.HasMember("error")
                          ? reply.error // no detail
                          : "Firefox answered " + toJson(error);
    return reply;
  }
  reply.result = toJson(doc[3]);
  return reply;
}

std::string unwrapValue(std::string_view result) {
  rapidjson::Document doc;
  doc.Parse(result.data(), result.size());
  if (doc.HasParseError())
    return std::string(result);
  if (doc.IsObject() && doc.MemberCount() == 1 && doc.HasMember("value"))
    return toJson(doc["value"]);
  return std::string(result);
}

bool isHello(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject())
    return false;
  auto type = doc.FindMember("applicationType");
  auto protocol = doc.FindMember("marionetteProtocol");
  return type != doc.MemberEnd() && type->value.IsString() &&
         std::string_view(type->value.GetString()) == "gecko" && protocol != doc.MemberEnd() &&
         protocol->value.IsInt() && protocol->value.GetInt() >= 3;
}

} // namespace wdhost::firefox
