#include "webdriver/trace_capabilities.h"

#include "json/json.h"

namespace wdh {

bool traceModeOf(std::string_view name, TraceMode* mode) {
  if (name == "on")
    *mode = TraceMode::On;
  else if (name == "on-failure")
    *mode = TraceMode::OnFailure;
  else if (name == "off")
    *mode = TraceMode::Off;
  else
    return false;
  return true;
}

Status takeTraceAsk(const rapidjson::Value& hostCaps, TraceAsk* ask) {
  if (!hostCaps.IsObject())
    return Status::ok();
  auto it = hostCaps.FindMember(kTraceCap);
  if (it == hostCaps.MemberEnd())
    return Status::ok();
  const rapidjson::Value& value = it->value;
  auto wrong = [&value] {
    return Status(ErrorCode::InvalidArgument,
                  std::string(kTraceCap) +
                      " takes \"on\", \"on-failure\", \"off\", true, false, or {\"mode\": one of "
                      "those, \"redact\": true|false}, not " +
                      toJson(value));
  };
  TraceMode mode = TraceMode::Off;
  if (value.IsBool()) {
    ask->mode = value.GetBool() ? TraceMode::On : TraceMode::Off;
    return Status::ok();
  }
  if (value.IsString()) {
    if (!traceModeOf(std::string_view(value.GetString(), value.GetStringLength()), &mode))
      return wrong();
    ask->mode = mode;
    return Status::ok();
  }
  if (!value.IsObject())
    return wrong();
  ask->mode = TraceMode::On;
  for (const auto& member : value.GetObject()) {
    std::string_view key(member.name.GetString(), member.name.GetStringLength());
    if (key == "mode" && member.value.IsString() &&
        traceModeOf(std::string_view(member.value.GetString(), member.value.GetStringLength()),
                    &mode))
      ask->mode = mode;
    else if (key == "redact" && member.value.IsBool())
      ask->redact = member.value.GetBool();
    else
      return wrong();
  }
  return Status::ok();
}

} // namespace wdh
