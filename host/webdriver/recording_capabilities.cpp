#include "webdriver/recording_capabilities.h"

#include "json/json.h"
#include <string>
#include <string_view>

namespace wdh {
namespace {

constexpr const char* kRecordingCap = "wdhost:recording";

Status wrong(std::string_view name, std::string_view wants, const rapidjson::Value& value) {
  return Status(ErrorCode::InvalidArgument,
                std::string(name) + " must be " + std::string(wants) + ", not " + toJson(value));
}

Status readFlag(std::string_view name, const rapidjson::Value& value, bool strings,
                std::optional<bool>* out) {
  if (value.IsBool()) {
    *out = value.GetBool();
    return Status::ok();
  }
  if (strings && value.IsString()) {
    std::string_view text(value.GetString(), value.GetStringLength());
    if (text == "true" || text == "false") {
      *out = text == "true";
      return Status::ok();
    }
  }
  return wrong(name,
               strings ? "true or false (or the string \"true\" or \"false\")" : "true or false",
               value);
}

Status readName(std::string_view name, const rapidjson::Value& value, std::string* out) {
  if (!value.IsString())
    return wrong(name, "a string", value);
  *out = std::string(value.GetString(), value.GetStringLength());
  return Status::ok();
}

Status readFps(std::string_view name, const rapidjson::Value& value, int* out) {
  if (!value.IsInt() || value.GetInt() < 1 || value.GetInt() > kMaxRecordingFps)
    return wrong(
        name, "a whole number of frames per second from 1 to " + std::to_string(kMaxRecordingFps),
        value);
  *out = value.GetInt();
  return Status::ok();
}

// "WIDTHxHEIGHT", each 16 to 7680.
Status readSize(std::string_view name, const rapidjson::Value& value, int* width, int* height) {
  auto bad = [&] { return wrong(name, "a size such as \"1280x720\" (16 to 7680 each)", value); };
  if (!value.IsString())
    return bad();
  std::string_view text(value.GetString(), value.GetStringLength());
  std::size_t x = text.find('x');
  if (x == std::string_view::npos || x == 0 || x + 1 >= text.size() || x > 4 ||
      text.size() - x - 1 > 4)
    return bad();
  int parts[2] = {0, 0};
  std::string_view digits[2] = {text.substr(0, x), text.substr(x + 1)};
  for (int i = 0; i < 2; ++i)
    for (char c : digits[i]) {
      if (c < '0' || c > '9')
        return bad();
      parts[i] = parts[i] * 10 + (c - '0');
    }
  if (parts[0] < 16 || parts[1] < 16 || parts[0] > 7680 || parts[1] > 7680)
    return bad();
  *width = parts[0];
  *height = parts[1];
  return Status::ok();
}

// Selenoid's and Moon's keys in `options` (the value of `vendor`), taken out of it.
Status takeVendorAsk(std::string_view vendor, rapidjson::Value* options, RecordingAsk* out) {
  if (!options->IsObject())
    return Status::ok(); // not ours to judge
  for (auto it = options->MemberBegin(); it != options->MemberEnd();) {
    std::string_view key(it->name.GetString(), it->name.GetStringLength());
    std::string shown = std::string(vendor) + "." + std::string(key);
    Status status;
    if (key == "enableVideo")
      status = readFlag(shown, it->value, false, &out->video);
    else if (key == "videoName")
      status = readName(shown, it->value, &out->name);
    else if (key == "videoFrameRate")
      status = readFps(shown, it->value, &out->fps);
    else if (key == "videoScreenSize")
      status = readSize(shown, it->value, &out->width, &out->height);
    else if (key == "enableLog")
      status = readFlag(shown, it->value, false, &out->logs);
    else if (key == "logName")
      status = readName(shown, it->value, &out->logName);
    else {
      ++it;
      continue;
    }
    if (!status.isOk())
      return status;
    it = options->EraseMember(it);
  }
  return Status::ok();
}

Status takeHostAsk(const rapidjson::Value& value, RecordingAsk* out) {
  if (!value.IsObject())
    return wrong(kRecordingCap, "an object such as {\"video\": true}", value);
  for (const auto& member : value.GetObject()) {
    std::string_view key(member.name.GetString(), member.name.GetStringLength());
    std::string shown = std::string(kRecordingCap) + "." + std::string(key);
    Status status;
    if (key == "video")
      status = readFlag(shown, member.value, false, &out->video);
    else if (key == "logs")
      status = readFlag(shown, member.value, false, &out->logs);
    else if (key == "fps")
      status = readFps(shown, member.value, &out->fps);
    else if (key == "name")
      status = readName(shown, member.value, &out->name);
    else if (key == "size")
      status = readSize(shown, member.value, &out->width, &out->height);
    else if (key == "retainOnFailure")
      status = readFlag(shown, member.value, false, &out->retainOnFailure);
    else
      status = Status(ErrorCode::InvalidArgument,
                      std::string(kRecordingCap) + " has no option \"" + std::string(key) +
                          "\"; it takes video, logs, fps, name, size and retainOnFailure");
    if (!status.isOk())
      return status;
  }
  return Status::ok();
}

} // namespace

Status takeRecordingAsk(rapidjson::Document* caps, const rapidjson::Value& hostCaps,
                        RecordingAsk* out) {
  *out = RecordingAsk();
  std::string seName;
  std::string videoName;
  for (auto it = caps->MemberBegin(); it != caps->MemberEnd();) {
    std::string_view key(it->name.GetString(), it->name.GetStringLength());
    Status status;
    bool take = true;
    if (key == "se:recordVideo")
      status = readFlag(key, it->value, true, &out->video);
    else if (key == "se:videoName")
      status = readName(key, it->value, &videoName);
    else if (key == "se:retainOnFailure")
      status = readFlag(key, it->value, true, &out->retainOnFailure);
    else if (key == "se:screenResolution")
      status = readSize(key, it->value, &out->width, &out->height);
    else if (key == "se:name") {
      take = false;
      if (it->value.IsString())
        seName = it->value.GetString();
    } else if (key == "selenoid:options" || key == "moon:options") {
      take = false;
      status = takeVendorAsk(key, &it->value, out);
      if (status.isOk() && it->value.IsObject() && it->value.MemberCount() == 0) {
        it = caps->EraseMember(it);
        continue;
      }
    } else {
      take = false;
    }
    if (!status.isOk())
      return status;
    it = take ? caps->EraseMember(it) : it + 1;
  }
  if (!videoName.empty())
    out->name = videoName;
  else if (out->name.empty())
    out->name = seName;
  if (hostCaps.IsObject()) {
    auto host = hostCaps.FindMember(kRecordingCap);
    if (host != hostCaps.MemberEnd())
      return takeHostAsk(host->value, out);
  }
  return Status::ok();
}

} // namespace wdh
