// The host's side of the ABI result channel: what a plugin call answered, as a Status.
#pragma once

#include "core/status.h"

#include <string>
#include <string_view>
#include <vector>
#include <wdhost/plugin.h>

// Definition of the opaque reply handle declared in the SDK; lives for one plugin call.
struct wdhost_reply {
  // What the plugin put in the reply.
  enum class Kind { None, Json, Error };
  Kind kind = Kind::None;
  std::string json;     // the JSON document, when kind == Json
  std::string error;    // the W3C error code, when kind == Error
  std::string message;  // the error message, when kind == Error
  std::string data;     // the error's "data" JSON object, or "" (ABI 1.2 reply_error_data)
  int ignoredCalls = 0; // reply_* calls after the first (a plugin bug, logged by the caller)
};

namespace wdh {

// The host's name for the reply handle.
using PluginReply = wdhost_reply;

// Turns a plugin call's return code and reply into a Status. `what` names the call for
// messages ("chrome: launch"); `fallback` is the code used when the plugin said ERROR with an
// unusable reply. On OK with no JSON where `needJson`, the result is UnknownError.
Status replyStatus(wdhost_status rc, const PluginReply& reply, std::string_view what,
                   ErrorCode fallback, bool needJson);

// What a plugin call did against the contract beyond its status, one line each for the log:
// reply calls after the first (ignored), an ERROR whose code is no W3C error code (answered as
// `fallback`). Empty when nothing.
std::vector<std::string> replyMisuse(wdhost_status rc, const PluginReply& reply,
                                     ErrorCode fallback);

// The keys a launch reply may have (plugin.h): "capabilities", "upstream", "cdp".
bool isLaunchReplyKey(std::string_view key) noexcept;

// The keys of the launch reply `json` (an object) that the contract does not name.
std::vector<std::string> unknownLaunchReplyKeys(std::string_view json);

// The reply callbacks the host table exposes.
void replyJson(wdhost_reply* reply, wdhost_str json) noexcept;
void replyError(wdhost_reply* reply, wdhost_str error, wdhost_str message) noexcept;
void replyErrorData(wdhost_reply* reply, wdhost_str error, wdhost_str message,
                    wdhost_str data) noexcept;

} // namespace wdh
