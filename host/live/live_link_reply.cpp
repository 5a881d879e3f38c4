#include "live/live_link_reply.h"

#include "http/responses.h"

#include "json/json.h"

namespace wdh {
namespace {

std::string linkJson(const LiveLink& link) {
  auto now = std::chrono::steady_clock::now();
  auto left = std::chrono::duration_cast<std::chrono::seconds>(link.expires - now).count();
  auto wall =
      std::chrono::duration_cast<std::chrono::milliseconds>(link.expiresWall.time_since_epoch())
          .count();
  return "{\"id\":" + quoteJson(link.id) + ",\"session\":" + quoteJson(link.sessionId) +
         ",\"control\":" + (link.control ? "true" : "false") +
         ",\"expires\":" + std::to_string(wall) +
         ",\"expiresIn\":" + std::to_string(left < 0 ? 0 : left);
}

} // namespace

void createLiveLinkReply(LiveView& live, std::string_view sessionId, std::string_view body,
                         const std::string& httpBase, Reply* reply) {
  bool control = false;
  std::chrono::seconds lifetime = LiveLinks::kDefault;
  if (!body.empty()) {
    rapidjson::Document doc;
    Status parsed = parseJsonObject(body, &doc);
    if (!parsed.isOk())
      return errorReply(
          reply, Status(ErrorCode::InvalidArgument, "a live link takes {\"control\": true|false, "
                                                    "\"expiresIn\": seconds}: " +
                                                        parsed.message()));
    auto asked = doc.FindMember("control");
    if (asked != doc.MemberEnd()) {
      if (!asked->value.IsBool())
        return errorReply(reply,
                          Status(ErrorCode::InvalidArgument,
                                 "\"control\" is true or false, not " + toJson(asked->value)));
      control = asked->value.GetBool();
    }
    auto expires = doc.FindMember("expiresIn");
    if (expires != doc.MemberEnd()) {
      if (!expires->value.IsUint64() || expires->value.GetUint64() == 0 ||
          expires->value.GetUint64() > static_cast<std::uint64_t>(LiveLinks::kLongest.count()))
        return errorReply(reply, Status(ErrorCode::InvalidArgument,
                                        "\"expiresIn\" is a whole number of seconds from 1 to " +
                                            std::to_string(LiveLinks::kLongest.count()) + ", not " +
                                            toJson(expires->value)));
      lifetime = std::chrono::seconds(expires->value.GetUint64());
    }
  }
  std::string secret;
  LiveLink link;
  Status status = live.createLink(sessionId, control, lifetime, &secret, &link);
  if (!status.isOk())
    return errorReply(reply, status);
  jsonReply(reply, 200,
            "{\"value\":" + linkJson(link) + ",\"url\":" + quoteJson(httpBase + "/live#" + secret) +
                "}}");
  reply->headers.emplace_back("Cache-Control", "no-store");
}

void listLiveLinksReply(LiveView& live, std::string_view sessionId, Reply* reply) {
  std::string body = "{\"value\":[";
  bool first = true;
  for (const LiveLink& link : live.links(sessionId)) {
    body += (first ? "" : ",") + linkJson(link) + "}";
    first = false;
  }
  jsonReply(reply, 200, body + "]}");
}

void revokeLiveLinkReply(LiveView& live, std::string_view sessionId, std::string_view linkId,
                         Reply* reply) {
  if (!live.revokeLink(sessionId, linkId))
    return errorReply(reply, Status(ErrorCode::InvalidArgument,
                                    "session " + std::string(sessionId).substr(0, 64) +
                                        " has no live link " + std::string(linkId).substr(0, 64)));
  jsonReply(reply, 200, "{\"value\":null}");
}

bool liveLinkRoute(LiveView& live, const std::string& method, std::string_view rest,
                   std::string_view body, const std::string& httpBase, Reply* reply) {
  // rest: "/{id}/live-link" or "/{id}/live-link/{linkId}"
  if (rest.size() < 2 || rest[0] != '/')
    return false;
  std::size_t slash = rest.find('/', 1);
  if (slash == std::string_view::npos)
    return false;
  std::string_view id = rest.substr(1, slash - 1);
  std::string_view what = rest.substr(slash);
  constexpr std::string_view kLink = "/live-link";
  if (what == kLink) {
    if (method == "POST")
      createLiveLinkReply(live, id, body, httpBase, reply);
    else if (method == "GET")
      listLiveLinksReply(live, id, reply);
    else
      errorReply(reply, Status(ErrorCode::UnknownMethod,
                               "live-link takes POST (a new link) or GET (the links)"));
    return true;
  }
  if (what.substr(0, kLink.size() + 1) == "/live-link/") {
    if (method != "DELETE")
      errorReply(reply,
                 Status(ErrorCode::UnknownMethod, "live-link/{link id} takes DELETE (revoke)"));
    else
      revokeLiveLinkReply(live, id, what.substr(kLink.size() + 1), reply);
    return true;
  }
  return false;
}

} // namespace wdh
