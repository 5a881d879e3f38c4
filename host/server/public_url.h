// The address clients are told to use for a session's websockets.
#pragma once

#include "core/status.h"

#include <string>
#include <string_view>

namespace wdh {

// Ok when `url` can be given as --public-url: http:// or https://, a host, an optional port
// and path prefix, and no query, fragment or user info; otherwise InvalidArgument saying why.
Status checkPublicUrl(const std::string& url);

// The "ws://host:port[/prefix]" base of websocket URLs: from `publicUrl` when set (https gives
// wss), else from the Host header the client sent (when it is a plain host[:port]), else
// `boundAuthority` ("127.0.0.1:4444").
std::string webSocketBase(const std::string& publicUrl, std::string_view hostHeader,
                          std::string_view boundAuthority);

} // namespace wdh
