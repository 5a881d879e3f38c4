#include "webdriver/capabilities.h"

#include "json/json.h"
#include <string>

namespace wdh {
namespace {

constexpr std::string_view kHostPrefix = "wdhost:";

Status invalid(std::string message) {
  return Status(ErrorCode::InvalidArgument, std::move(message));
}

} // namespace

Status mergeCapabilities(const rapidjson::Value& body, std::vector<rapidjson::Document>* merged) {
  auto caps = body.FindMember("capabilities");
  if (caps == body.MemberEnd()) {
    if (body.HasMember("desiredCapabilities"))
      return invalid("the body has only legacy \"desiredCapabilities\"; send W3C "
                     "{\"capabilities\": {\"alwaysMatch\": {...}, \"firstMatch\": [...]}}");
    return invalid("the body has no \"capabilities\" object; send "
                   "{\"capabilities\": {\"alwaysMatch\": {...}}}");
  }
  if (!caps->value.IsObject())
    return invalid("\"capabilities\" must be an object, not " +
                   std::string(jsonTypeName(caps->value)));

  rapidjson::Value emptyObject(rapidjson::kObjectType);
  const rapidjson::Value* always = &emptyObject;
  auto alwaysIt = caps->value.FindMember("alwaysMatch");
  if (alwaysIt != caps->value.MemberEnd() && !alwaysIt->value.IsNull()) {
    if (!alwaysIt->value.IsObject())
      return invalid("\"alwaysMatch\" must be an object, not " +
                     std::string(jsonTypeName(alwaysIt->value)));
    always = &alwaysIt->value;
  }

  rapidjson::Value defaultFirst(rapidjson::kArrayType);
  rapidjson::Document scratch;
  defaultFirst.PushBack(rapidjson::Value(rapidjson::kObjectType), scratch.GetAllocator());
  const rapidjson::Value* first = &defaultFirst;
  auto firstIt = caps->value.FindMember("firstMatch");
  if (firstIt != caps->value.MemberEnd() && !firstIt->value.IsNull()) {
    if (!firstIt->value.IsArray())
      return invalid("\"firstMatch\" must be an array of objects, not " +
                     std::string(jsonTypeName(firstIt->value)));
    if (firstIt->value.Empty())
      return invalid("\"firstMatch\" must not be empty; leave it out to match anything");
    first = &firstIt->value;
  }

  merged->clear();
  rapidjson::SizeType index = 0;
  for (const auto& entry : first->GetArray()) {
    if (!entry.IsObject())
      return invalid("\"firstMatch\"[" + std::to_string(index) + "] must be an object, not " +
                     std::string(jsonTypeName(entry)));
    rapidjson::Document set(rapidjson::kObjectType);
    auto& alloc = set.GetAllocator();
    for (const auto& member : always->GetObject()) {
      if (member.value.IsNull())
        continue;
      set.AddMember(rapidjson::Value(member.name, alloc), rapidjson::Value(member.value, alloc),
                    alloc);
    }
    for (const auto& member : entry.GetObject()) {
      if (always->HasMember(member.name))
        return invalid("\"" + std::string(member.name.GetString()) +
                       "\" is in both alwaysMatch and firstMatch[" + std::to_string(index) +
                       "]; a capability may appear in only one of them");
      if (member.value.IsNull())
        continue;
      set.AddMember(rapidjson::Value(member.name, alloc), rapidjson::Value(member.value, alloc),
                    alloc);
    }
    merged->push_back(std::move(set));
    ++index;
  }
  return Status::ok();
}

void extractHostCapabilities(rapidjson::Document* caps, rapidjson::Document* hostCaps) {
  hostCaps->SetObject();
  auto& alloc = hostCaps->GetAllocator();
  for (auto it = caps->MemberBegin(); it != caps->MemberEnd();) {
    std::string_view name(it->name.GetString(), it->name.GetStringLength());
    if (name.substr(0, kHostPrefix.size()) == kHostPrefix) {
      hostCaps->AddMember(rapidjson::Value(it->name, alloc), rapidjson::Value(it->value, alloc),
                          alloc);
      it = caps->EraseMember(it);
    } else {
      ++it;
    }
  }
}

} // namespace wdh
