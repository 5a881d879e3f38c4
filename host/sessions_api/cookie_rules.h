// Cookies as a browser keeps them, for the sessions API's plain requests: which of a session's
// cookies go with a URL, what a response's Set-Cookie stores, and their JSON forms (WebDriver
// BiDi's storage.* and the API's reply).
#pragma once

#include <Poco/URI.h>
#include <cstdint>
#include <rapidjson/document.h>
#include <string>
#include <string_view>
#include <vector>

namespace wdh {

// One cookie of a session's browser.
struct StoredCookie {
  std::string name;         // cookie name
  std::string value;        // cookie value
  std::string domain;       // without a leading dot
  bool hostOnly = false;    // sent to `domain` itself only, not to its subdomains
  std::string path = "/";   // the path it is sent under
  bool secure = false;      // https only
  bool httpOnly = false;    // hidden from scripts
  std::string sameSite;     // "Strict", "Lax", "None", or "" (the browser's default)
  std::int64_t expiry = -1; // seconds since the epoch; -1 = ends with the browser session
};

// Whether `cookie` is sent with a request to `url` (RFC 6265 domain and path match, secure).
bool cookieApplies(const StoredCookie& cookie, const Poco::URI& url);

// The Cookie header for `url` from `jar` ("" when none applies), longer paths first.
std::string cookieHeaderFor(const std::vector<StoredCookie>& jar, const Poco::URI& url);

// What the Set-Cookie header value `line` received from `url` stores (RFC 6265 5.2: unknown
// attributes and unreadable dates are ignored, Max-Age wins over Expires); false when a browser
// would refuse it (no name=value, a Domain the host is not in or without a dot, Secure over
// http). `now` is seconds since the epoch; an expiry at or before it means "delete".
bool parseSetCookie(std::string_view line, const Poco::URI& url, std::int64_t now,
                    StoredCookie* out);

// Puts `cookie` into `jar`, replacing the one with its name, domain and path; an expired one
// (expiry before `now`) only removes it.
void storeCookie(std::vector<StoredCookie>* jar, const StoredCookie& cookie, std::int64_t now);

// A cookie of storage.getCookies ({name, value: {type, value}, domain, ...}); false if not one.
bool cookieFromBidi(const rapidjson::Value& bidi, StoredCookie* out);

// `cookie` as storage.setCookie's "cookie" parameter.
void cookieToBidi(const StoredCookie& cookie, rapidjson::Value* out,
                  rapidjson::Document::AllocatorType& a);

// `cookie` as the API's replies list cookies (WebDriver's form: name, value, domain, path,
// secure, httpOnly, sameSite, expiry when it has one).
void cookieToReply(const StoredCookie& cookie, rapidjson::Value* out,
                   rapidjson::Document::AllocatorType& a);

} // namespace wdh
