// The answers of the hand-off link endpoints, shared by the API (/wdhost/sessions/{id}/
// live-link, with the client token) and the status page (/ui/sessions/{id}/live-link).
#pragma once

#include "http/exchange.h"
#include "live/live_view.h"

#include <string>
#include <string_view>

namespace wdh {

// POST: a new link to session `sessionId` from `body` ({"control": bool, "expiresIn":
// seconds}, both optional; an empty body takes the defaults). `httpBase` ("http://host:port"
// as the client reached the host, or "" for a URL relative to the host) starts the URL; the
// secret rides in its fragment (/live#SECRET), which browsers never send to a server.
void createLiveLinkReply(LiveView& live, std::string_view sessionId, std::string_view body,
                         const std::string& httpBase, Reply* reply);
// GET: the session's live links (never their secrets).
void listLiveLinksReply(LiveView& live, std::string_view sessionId, Reply* reply);
// DELETE: revokes link `linkId`.
void revokeLiveLinkReply(LiveView& live, std::string_view sessionId, std::string_view linkId,
                         Reply* reply);
// Routes `method` on `rest` ("/{id}/live-link" or "/{id}/live-link/{linkId}") to the three
// above; false when `rest` is no link path (the caller answers).
bool liveLinkRoute(LiveView& live, const std::string& method, std::string_view rest,
                   std::string_view body, const std::string& httpBase, Reply* reply);

} // namespace wdh
