// The websocket capabilities of a New Session answer: what the backend returned is rewritten so
// that clients reach BiDi and CDP through the host's own address and session id, never a
// driver's; a backend without them gets the fallback Selenium Grid gives.
#pragma once

#include "session/session.h"

#include <rapidjson/document.h>
#include <string>
#include <string_view>

namespace wdh {

// What the backend's launch made available beside its capabilities.
struct LaunchedSockets {
  bool bidiAsked = false; // the client asked for "webSocketUrl": true
  std::string cdp;        // http:// base of the browser's DevTools endpoint, or empty
};

// Rewrites `caps` (the capabilities a plugin's launch returned) for session `id`, whose
// websockets clients reach under `base` ("ws://host:port", maybe with a path prefix):
// - a string "webSocketUrl" (the driver's BiDi endpoint) becomes base/session/{id}/se/bidi;
//   when the backend gave none, "webSocketUrl" is left out and "se:bidiEnabled" is false
//   (if BiDi was asked for), so clients go on in classic mode at once;
// - with a DevTools endpoint, "se:cdp" and "se:forwardCdp" are base/session/{id}/se/cdp and
//   "se:cdpVersion" the browser's version; without one, "se:cdpEnabled" is false.
// Returns where the relayed websockets lead upstream.
SessionSockets exposeWebSockets(rapidjson::Value* caps, rapidjson::Document::AllocatorType& alloc,
                                const LaunchedSockets& launched, std::string_view base,
                                std::string_view id);

} // namespace wdh
