#include "plugin/plugin_reply.h"

#include "json/json.h"

namespace wdh {
namespace {

std::string_view view(wdhost_str s) noexcept {
  return s.data == nullptr ? std::string_view() : std::string_view(s.data, s.size);
}

} // namespace

void replyJson(wdhost_reply* reply, wdhost_str json) noexcept {
  if (reply == nullptr)
    return;
  if (reply->kind != PluginReply::Kind::None) {
    ++reply->ignoredCalls;
    return;
  }
  try {
    reply->json.assign(view(json));
    reply->kind = PluginReply::Kind::Json;
  } catch (...) {
    reply->kind = PluginReply::Kind::Error;
    reply->error = "unknown error";
  }
}

void replyError(wdhost_reply* reply, wdhost_str error, wdhost_str message) noexcept {
  if (reply == nullptr)
    return;
  if (reply->kind != PluginReply::Kind::None) {
    ++reply->ignoredCalls;
    return;
  }
  reply->kind = PluginReply::Kind::Error;
  try {
    reply->error.assign(view(error));
    reply->message.assign(view(message));
  } catch (...) {
    reply->error = "unknown error";
  }
}

void replyErrorData(wdhost_reply* reply, wdhost_str error, wdhost_str message,
                    wdhost_str data) noexcept {
  if (reply == nullptr || reply->kind != PluginReply::Kind::None) {
    replyError(reply, error, message);
    return;
  }
  replyError(reply, error, message);
  try {
    rapidjson::Document object;
    if (parseJsonObject(view(data), &object).isOk())
      reply->data = toJson(object); // re-serialised: the error body embeds it verbatim
  } catch (...) {
    reply->data.clear();
  }
}

std::vector<std::string> replyMisuse(wdhost_status rc, const PluginReply& reply,
                                     ErrorCode fallback) {
  std::vector<std::string> lines;
  if (reply.ignoredCalls > 0)
    lines.push_back("replied " + std::to_string(reply.ignoredCalls) +
                    " more time(s) after its first reply; the extra replies were ignored (one "
                    "reply per call)");
  if (rc == WDHOST_ERROR && reply.kind == PluginReply::Kind::Error &&
      reply.error != errorName(ErrorCode::UnknownError) &&
      errorFromName(reply.error) == ErrorCode::UnknownError)
    lines.push_back("answered the error code '" + reply.error.substr(0, 100) +
                    "', which is no W3C error code (WDHOST_W3C_* in plugin.h); answered as '" +
                    std::string(errorName(fallback)) + "'");
  return lines;
}

bool isLaunchReplyKey(std::string_view key) noexcept {
  return key == "capabilities" || key == "upstream" || key == "cdp";
}

std::vector<std::string> unknownLaunchReplyKeys(std::string_view json) {
  std::vector<std::string> unknown;
  rapidjson::Document doc;
  if (!parseJsonObject(json, &doc).isOk())
    return unknown;
  for (const auto& member : doc.GetObject()) {
    std::string_view key(member.name.GetString(), member.name.GetStringLength());
    if (!isLaunchReplyKey(key))
      unknown.emplace_back(key.substr(0, 100));
  }
  return unknown;
}

Status replyStatus(wdhost_status rc, const PluginReply& reply, std::string_view what,
                   ErrorCode fallback, bool needJson) {
  std::string prefix(what);
  if (rc == WDHOST_OK) {
    if (reply.kind == PluginReply::Kind::Error)
      return Status(ErrorCode::UnknownError, prefix + " returned OK together with an error: " +
                                                 reply.error + ": " + reply.message);
    if (needJson && reply.kind != PluginReply::Kind::Json)
      return Status(ErrorCode::UnknownError, prefix + " returned OK without a result");
    return Status::ok();
  }
  if (rc == WDHOST_ERROR) {
    if (reply.kind != PluginReply::Kind::Error)
      return Status(fallback, prefix + " failed without saying why");
    ErrorCode code = errorFromName(reply.error);
    if (code == ErrorCode::UnknownError && reply.error != "unknown error")
      code = fallback;
    std::string message = reply.message.empty() ? "(no message)" : reply.message;
    return Status(code, prefix + ": " + message, reply.data);
  }
  return Status(fallback, prefix + " returned an unexpected status " + std::to_string(rc));
}

} // namespace wdh
