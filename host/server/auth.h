// Client authentication: a shared token, sent as a bearer token or as the basic-auth password.
#pragma once

#include <string>
#include <string_view>

namespace wdh {

// True when `authorization` (the Authorization header, possibly empty) carries `token`:
// "Bearer <token>" or "Basic base64(<any user>:<token>)". Compares in constant time.
bool authorizationCarries(std::string_view authorization, const std::string& token);

// True when `host` is a loopback address or name (127.0.0.0/8, ::1, localhost).
bool isLoopbackHost(std::string_view host);

} // namespace wdh
