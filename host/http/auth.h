// Client authentication: the client token and the operator token, sent as a bearer token or as
// the basic-auth password, and what each lets a request do.
#pragma once

#include <string>
#include <string_view>

namespace wdh {

// True when `authorization` (the Authorization header, possibly empty) carries `token`:
// "Bearer <token>" or "Basic base64(<any user>:<token>)". Compares in constant time.
bool authorizationCarries(std::string_view authorization, const std::string& token);

// True when `host` is a loopback address (127.0.0.0/8, ::1, also in brackets) or localhost.
bool isLoopbackHost(std::string_view host);

// What a request may do.
enum class Role {
  None,     // nothing but the status page's login
  Client,   // WebDriver, the sessions API, the status page
  Operator, // also drain, /metrics and ending sessions from the status page
};

// The host's tokens and the role each one grants; immutable, thread-safe.
class Credentials {
public:
  // `clientToken` empty: every request is a client. `operatorToken` empty: the client token is
  // the operator's too (and with no token at all, every request is the operator's).
  Credentials(std::string clientToken, std::string operatorToken);

  // The role the Authorization header `authorization` grants.
  Role roleOf(std::string_view authorization) const;
  // The role the bare token `token` grants (a login form, a ?key= parameter).
  Role roleOfToken(std::string_view token) const;
  // True when some role needs a token (the status page then asks for one).
  bool needsLogin() const noexcept { return !client_.empty() || !operator_.empty(); }

private:
  std::string client_;
  std::string operator_;
};

} // namespace wdh
