#include "trace/trace_redaction.h"

#include "trace/command_names.h"

#include "json/json.h"

namespace wdh {

namespace {

bool endsWith(std::string_view text, std::string_view end) {
  return text.size() >= end.size() && text.substr(text.size() - end.size()) == end;
}

void replaceMember(rapidjson::Value& object, const char* key,
                   rapidjson::Document::AllocatorType& alloc) {
  auto it = object.FindMember(key);
  if (it != object.MemberEnd())
    it->value.SetString(kRedacted, alloc);
}

// Perform Actions: every key action's "value" of every key input source.
void redactKeyActions(rapidjson::Document& doc) {
  auto actions = doc.FindMember("actions");
  if (actions == doc.MemberEnd() || !actions->value.IsArray())
    return;
  for (rapidjson::Value& source : actions->value.GetArray()) {
    if (!source.IsObject())
      continue;
    auto steps = source.FindMember("actions");
    if (steps == source.MemberEnd() || !steps->value.IsArray())
      continue;
    for (rapidjson::Value& step : steps->value.GetArray())
      if (step.IsObject()) {
        auto type = step.FindMember("type");
        if (type != step.MemberEnd() && type->value.IsString() &&
            (std::string_view(type->value.GetString()) == "keyDown" ||
             std::string_view(type->value.GetString()) == "keyUp"))
          replaceMember(step, "value", doc.GetAllocator());
      }
  }
}

} // namespace

bool typesText(std::string_view method, std::string_view suffix) {
  if (method == kBidiMethod)
    return suffix == "input.performActions";
  return method == "POST" && (suffix == "/actions" || suffix == "/alert/text" ||
                              (endsWith(suffix, "/value") && !elementOf(suffix).empty()));
}

bool passesScriptArguments(std::string_view method, std::string_view suffix) {
  if (method == kBidiMethod)
    return suffix == "script.callFunction";
  return method == "POST" && (suffix == "/execute/sync" || suffix == "/execute/async");
}

std::string typedText(std::string_view method, std::string_view suffix, std::string_view body) {
  rapidjson::Document doc;
  if (!typesText(method, suffix) || !parseJsonObject(body, &doc).isOk())
    return "";
  auto text = doc.FindMember("text");
  if (text != doc.MemberEnd() && text->value.IsString())
    return text->value.GetString();
  std::string out;
  auto value = doc.FindMember("value");
  if (value != doc.MemberEnd() && value->value.IsArray()) {
    for (const rapidjson::Value& part : value->value.GetArray())
      if (part.IsString())
        out += part.GetString();
    return out;
  }
  auto actions = doc.FindMember("actions");
  if (actions == doc.MemberEnd() || !actions->value.IsArray())
    return out;
  for (const rapidjson::Value& source : actions->value.GetArray()) {
    if (!source.IsObject() || !source.HasMember("actions") || !source["actions"].IsArray())
      continue;
    for (const rapidjson::Value& step : source["actions"].GetArray())
      if (step.IsObject() && step.HasMember("type") && step["type"].IsString() &&
          std::string_view(step["type"].GetString()) == "keyDown" && step.HasMember("value") &&
          step["value"].IsString())
        out += step["value"].GetString();
  }
  return out;
}

std::vector<std::string> typedParts(std::string_view method, std::string_view suffix,
                                    std::string_view body) {
  std::string typed = typedText(method, suffix, body);
  std::vector<std::string> parts(1);
  for (std::size_t i = 0; i < typed.size();) {
    auto lead = static_cast<unsigned char>(typed[i]);
    std::size_t length = lead < 0x80    ? 1
                         : lead >= 0xF0 ? 4
                         : lead >= 0xE0 ? 3
                         : lead >= 0xC0 ? 2
                                        : 1;
    std::string_view character(typed.data() + i, std::min(length, typed.size() - i));
    // U+E000..U+F8FF is EE 80 80 .. EF A3 BF in UTF-8.
    bool special =
        length == 3 && (lead == 0xEE || (lead == 0xEF && i + 1 < typed.size() &&
                                         static_cast<unsigned char>(typed[i + 1]) <= 0xA3));
    if (special) {
      if (!parts.back().empty())
        parts.emplace_back();
    } else {
      parts.back() += character;
    }
    i += character.size();
  }
  if (parts.back().empty())
    parts.pop_back();
  return parts;
}

std::string cutBody(std::string_view body) {
  if (body.size() <= kMaxTracedBody)
    return std::string(body);
  std::size_t keep = kMaxTracedBody;
  while (keep > 0 && (static_cast<unsigned char>(body[keep]) & 0xC0) == 0x80)
    --keep; // not inside a UTF-8 character
  return std::string(body.substr(0, keep)) + "… (" + std::to_string(body.size() - keep) +
         " more bytes)";
}

std::string tracedRequest(std::string_view method, std::string_view suffix, std::string_view body,
                          bool typedText, bool scriptArguments) {
  bool typed = !typedText && typesText(method, suffix);
  bool script = !scriptArguments && passesScriptArguments(method, suffix);
  if (!typed && !script)
    return cutBody(body);
  rapidjson::Document doc;
  if (!parseJsonObject(body, &doc).isOk())
    return kRedacted;
  if (script) {
    replaceMember(doc, "args", doc.GetAllocator());
    replaceMember(doc, "arguments", doc.GetAllocator()); // BiDi's script.callFunction
  }
  if (typed) {
    replaceMember(doc, "text", doc.GetAllocator());
    replaceMember(doc, "value", doc.GetAllocator());
    redactKeyActions(doc);
  }
  return cutBody(toJson(doc));
}

} // namespace wdh
