#include "webdriver/websocket_capabilities.h"

namespace wdh {
namespace {

void setString(rapidjson::Value* caps, const char* key, const std::string& value,
               rapidjson::Document::AllocatorType& alloc) {
  caps->RemoveMember(key);
  caps->AddMember(rapidjson::StringRef(key), rapidjson::Value(value.c_str(), alloc), alloc);
}

void setFalse(rapidjson::Value* caps, const char* key, rapidjson::Document::AllocatorType& alloc) {
  caps->RemoveMember(key);
  caps->AddMember(rapidjson::StringRef(key), false, alloc);
}

} // namespace

SessionSockets exposeWebSockets(rapidjson::Value* caps, rapidjson::Document::AllocatorType& alloc,
                                const LaunchedSockets& launched, std::string_view base,
                                std::string_view id) {
  SessionSockets sockets;
  std::string sessionBase = std::string(base) + "/session/" + std::string(id);
  auto bidi = caps->FindMember("webSocketUrl");
  if (bidi != caps->MemberEnd() && bidi->value.IsString()) {
    sockets.bidi.assign(bidi->value.GetString(), bidi->value.GetStringLength());
    sockets.publicBidi = sessionBase + "/se/bidi";
    setString(caps, "webSocketUrl", sockets.publicBidi, alloc);
  } else {
    caps->RemoveMember("webSocketUrl");
    if (launched.bidiAsked)
      setFalse(caps, "se:bidiEnabled", alloc);
  }
  if (!launched.cdp.empty()) {
    sockets.cdp = launched.cdp;
    sockets.publicCdp = sessionBase + "/se/cdp";
    setString(caps, "se:cdp", sockets.publicCdp, alloc);
    setString(caps, "se:forwardCdp", sockets.publicCdp, alloc);
    auto version = caps->FindMember("browserVersion");
    if (version != caps->MemberEnd() && version->value.IsString())
      setString(caps, "se:cdpVersion",
                std::string(version->value.GetString(), version->value.GetStringLength()), alloc);
  } else {
    caps->RemoveMember("se:cdp");
    caps->RemoveMember("se:forwardCdp");
    caps->RemoveMember("se:cdpVersion");
    setFalse(caps, "se:cdpEnabled", alloc);
  }
  return sockets;
}

} // namespace wdh
