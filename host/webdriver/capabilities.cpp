#include "webdriver/capabilities.h"

#include "webdriver/capability_validation.h"

#include "json/json.h"
#include <cstdint>
#include <string>
#include <utility>

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
  if (alwaysIt != caps->value.MemberEnd()) {
    if (!alwaysIt->value.IsObject())
      return invalid("\"alwaysMatch\" must be an object, not " +
                     std::string(jsonTypeName(alwaysIt->value)));
    always = &alwaysIt->value;
    Status valid = validateCapabilities(*always, "alwaysMatch");
    if (!valid.isOk())
      return valid;
  }

  rapidjson::Value defaultFirst(rapidjson::kArrayType);
  rapidjson::Document scratch;
  defaultFirst.PushBack(rapidjson::Value(rapidjson::kObjectType), scratch.GetAllocator());
  const rapidjson::Value* first = &defaultFirst;
  auto firstIt = caps->value.FindMember("firstMatch");
  if (firstIt != caps->value.MemberEnd()) {
    if (!firstIt->value.IsArray())
      return invalid("\"firstMatch\" must be an array of objects, not " +
                     std::string(jsonTypeName(firstIt->value)));
    if (firstIt->value.Empty())
      return invalid("\"firstMatch\" must not be empty; leave it out to match anything");
    first = &firstIt->value;
  }

  rapidjson::SizeType index = 0;
  for (const auto& entry : first->GetArray()) {
    std::string where = "firstMatch[" + std::to_string(index++) + "]";
    if (!entry.IsObject())
      return invalid("\"" + where + "\" must be an object, not " +
                     std::string(jsonTypeName(entry)));
    Status valid = validateCapabilities(entry, where);
    if (!valid.isOk())
      return valid;
  }

  merged->clear();
  index = 0;
  for (const auto& entry : first->GetArray()) {
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
    if (name.substr(0, kHostPrefix.size()) == kHostPrefix || name == kDownloadsEnabledCap) {
      hostCaps->AddMember(rapidjson::Value(it->name, alloc), rapidjson::Value(it->value, alloc),
                          alloc);
      it = caps->EraseMember(it);
    } else {
      ++it;
    }
  }
}

} // namespace wdh

namespace wdh {

void completeReturnedCapabilities(rapidjson::Value* caps, rapidjson::Document::AllocatorType& alloc,
                                  const rapidjson::Value& requested, const ServedBrowser& browser) {
  if (!caps->IsObject())
    caps->SetObject();
  for (auto it = caps->MemberBegin(); it != caps->MemberEnd();) {
    std::string_view name(it->name.GetString(), it->name.GetStringLength());
    it = name.substr(0, kHostPrefix.size()) == kHostPrefix ? caps->EraseMember(it) : it + 1;
  }
  // Fills `key` when the plugin did not: from the request if it has a value of the right
  // type, else from `fallback`.
  auto fill = [&](const char* key, auto isRightType, rapidjson::Value fallback) {
    auto have = caps->FindMember(key);
    if (have != caps->MemberEnd() && isRightType(have->value))
      return;
    if (have != caps->MemberEnd())
      caps->RemoveMember(key);
    auto asked = requested.FindMember(key);
    rapidjson::Value value = asked != requested.MemberEnd() && isRightType(asked->value)
                                 ? rapidjson::Value(asked->value, alloc)
                                 : std::move(fallback);
    caps->AddMember(rapidjson::Value(key, alloc), value, alloc);
  };
  auto isString = [](const rapidjson::Value& v) { return v.IsString(); };
  auto isBool = [](const rapidjson::Value& v) { return v.IsBool(); };
  auto isObject = [](const rapidjson::Value& v) { return v.IsObject(); };
  auto isPrompt = [](const rapidjson::Value& v) { return v.IsString() || v.IsObject(); };
  auto text = [&](const std::string& s) { return rapidjson::Value(s.c_str(), alloc); };

  fill("browserName", isString, text(browser.browserName));
  fill("browserVersion", isString, text(browser.browserVersion));
  fill("platformName", isString, text(browser.platformName));
  fill("acceptInsecureCerts", isBool, rapidjson::Value(false));
  fill("pageLoadStrategy", isString, rapidjson::Value("normal"));
  fill("proxy", isObject, rapidjson::Value(rapidjson::kObjectType));
  fill("setWindowRect", isBool, rapidjson::Value(true));
  fill("strictFileInteractability", isBool, rapidjson::Value(false));
  fill("unhandledPromptBehavior", isPrompt, rapidjson::Value("dismiss and notify"));
  fill("userAgent", isString, rapidjson::Value(""));

  // Timeouts: what the plugin said, else what was asked, then the spec's defaults per key.
  fill("timeouts", isObject, rapidjson::Value(rapidjson::kObjectType));
  rapidjson::Value& timeouts = (*caps)["timeouts"];
  const rapidjson::Value* askedTimeouts = nullptr;
  auto asked = requested.FindMember("timeouts");
  if (asked != requested.MemberEnd() && asked->value.IsObject())
    askedTimeouts = &asked->value;
  for (auto [key, fallback] : {std::pair<const char*, std::uint64_t>{"implicit", 0},
                               {"pageLoad", 300000},
                               {"script", 30000}}) {
    if (timeouts.HasMember(key))
      continue;
    if (askedTimeouts != nullptr && askedTimeouts->HasMember(key))
      timeouts.AddMember(rapidjson::Value(key, alloc),
                         rapidjson::Value((*askedTimeouts)[key], alloc), alloc);
    else
      timeouts.AddMember(rapidjson::Value(key, alloc), rapidjson::Value(fallback), alloc);
  }
}

} // namespace wdh
