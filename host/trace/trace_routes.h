// /wdhost/traces with the client token: GET lists the traces, GET /{session id} answers one in
// JSON (?format=html: the self-contained viewer file, as a download), DELETE /{session id}
// deletes a finished one.
#pragma once

#include "http/exchange.h"
#include "trace/traces.h"

#include <string_view>

namespace wdh {

// Answers `method` on /wdhost/traces`suffix` (suffix "" or "/{id}") with `query` (what follows
// '?', or "").
void traceRouteReply(Traces& traces, std::string_view method, std::string_view suffix,
                     std::string_view query, Reply* reply);

// The trace of session `id` as the viewer's page (`download`: as a file to keep).
void traceViewerReply(const Traces& traces, std::string_view id, bool download, Reply* reply);

// The traces as JSON: {"value": [{"sessionId", "browser", "startedAt", "commands", "failed",
// "running", "endedBy", "size"}...]}.
std::string traceListJson(const Traces& traces, std::size_t most);

} // namespace wdh
