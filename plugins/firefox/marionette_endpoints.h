// The W3C WebDriver classic command set, each endpoint mapped to its Marionette command: one
// table keyed on the SDK's W3C endpoint table (wdhost::w3c::kSessionEndpoints, which matches
// method and path), so the endpoints themselves are not repeated here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>
#include <wdhost/w3c_endpoints.hpp>

namespace wdhost::firefox {

// How a Marionette command's params are built from the W3C body and the path's "*" segments.
enum class Params {
  None,              // {}
  Body,              // the W3C body unchanged
  Id,                // {"id": seg0}
  IdName,            // {"id": seg0, "name": seg1}
  IdPropertyName,    // {"id": seg0, "propertyName": seg1}
  IdBody,            // the body plus {"id": seg0}
  FromElement,       // the body plus {"element": seg0}
  FromShadowRoot,    // the body plus {"shadowRoot": seg0}
  Frame,             // W3C {"id": null | number | element} -> {} | {"id": n} | {"element": id}
  CookieName,        // {"name": seg0}
  Screenshot,        // {"full": false}: the viewport, as W3C Take Screenshot says
  ElementScreenshot, // {"id": seg0, "full": false}
  Authenticator,     // the body plus {"authenticatorId": seg0}
  Credential,        // {"authenticatorId": seg0, "credentialId": seg1}
};

// What the W3C "value" is made of.
enum class Result {
  Value,       // Marionette's result, unwrapped from {"value": x}
  NamedCookie, // the cookie named seg0 from WebDriver:GetCookies, else "no such cookie"
  Rect,        // only x, y, width and height (Marionette adds top, right, bottom, left)
};

// What the bridge checks and rewrites in the W3C body before Marionette sees it, so that bad
// parameters get the error the spec names (as geckodriver does) rather than Marionette's.
enum class Check {
  None,
  Locator,    // "using" one of the five strategies and "value" a string, else invalid argument
  NewWindow,  // "type" absent, null (dropped) or a string; a string other than tab/window is
              // only a hint (dropped), anything else invalid argument
  Timeouts,   // each of script, pageLoad, implicit null or an integer 0..2^53-1; others dropped
  Script,     // "script" a string and "args" an array; a body using await runs as an async
              // function (the spec's "execute a function body" runs it as one)
  WindowRect, // each member null or a number in range; numbers truncated to integers; a size
              // or a position sent only when both its members are numbers (else: unchanged)
  Actions,    // every pointerMove and scroll origin "viewport", "pointer" or an element
};

// How long Marionette may legitimately take to answer, besides a fixed margin.
enum class Wait {
  Quick,    // nothing the session's timeouts govern
  PageLoad, // may wait for a navigation: the page-load timeout
  Script,   // runs a script: the script timeout
  Implicit, // may wait for an element: the implicit-wait timeout
  Actions,  // input actions: the pauses and durations they hold
};

// One W3C endpoint and its Marionette command.
struct Endpoint {
  std::size_t w3c;           // its index in wdhost::w3c::kSessionEndpoints
  std::string_view command;  // "WebDriver:ElementClick"
  Params params;             // how params are built
  Result result;             // how the value is built
  Check check = Check::None; // what is checked in the body first
  Wait wait = Wait::Quick;   // what bounds the wait for the answer

  // "GET", "POST" or "DELETE" (from the SDK's table).
  std::string_view method() const noexcept { return wdhost::w3c::kSessionEndpoints[w3c].method; }
  // "/element/*/click" (from the SDK's table).
  std::string_view pattern() const noexcept { return wdhost::w3c::kSessionEndpoints[w3c].pattern; }
};

// Every endpoint Firefox serves, one per W3C endpoint at most.
const std::vector<Endpoint>& endpoints();

// A matched request: its endpoint and the decoded "*" segments of the path, in order.
struct Match {
  const Endpoint* endpoint = nullptr; // never null after matchEndpoint()
  std::vector<std::string> segments;  // percent-decoded
};

// Finds the endpoint for method and path (the part after /session/{id}; a query is ignored).
// Throws wdhost::Error("unknown command") for an unknown path and Error("unknown method")
// (naming the methods it takes) for a known path with another method.
Match matchEndpoint(std::string_view method, std::string_view path);

// The Marionette params (a JSON object) for `match` with the W3C request `body` (for GET and
// DELETE "" = {}). Throws wdhost::Error("invalid argument") when a POST's body is not a JSON
// object or a parameter breaks the endpoint's Check.
std::string buildParams(const Match& match, std::string_view body);

// The milliseconds Marionette may take to answer `match` with `params` (from buildParams) in a
// session whose timeouts are these (-1 = no limit): the endpoint's Wait plus a fixed margin.
uint32_t answerTimeoutMs(const Match& match, std::string_view params, int64_t scriptMs,
                         int64_t pageLoadMs, int64_t implicitMs);

// The W3C value for `match` from Marionette's raw `result` JSON (see Result).
std::string buildValue(const Match& match, std::string_view result);

} // namespace wdhost::firefox
