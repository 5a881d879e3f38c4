// The W3C WebDriver classic command set, each endpoint mapped to its Marionette command: one
// table, matched by method and the path after /session/{id}, with "*" for a variable segment.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace firefox {

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

// One W3C endpoint and its Marionette command.
struct Endpoint {
  std::string_view method;  // "GET", "POST" or "DELETE"
  std::string_view pattern; // "/element/*/click"
  std::string_view command; // "WebDriver:ElementClick"
  Params params;            // how params are built
  Result result;            // how the value is built
};

// Every endpoint, in one table.
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

// The Marionette params (a JSON object) for `match` with the W3C request `body` ("" = {}).
// Throws wdhost::Error("invalid argument") when the body is not an object or a frame id is bad.
std::string buildParams(const Match& match, std::string_view body);

// The W3C value for `match` from Marionette's raw `result` JSON (see Result).
std::string buildValue(const Match& match, std::string_view result);

// "%2F" and friends decoded; a malformed escape is kept as is.
std::string percentDecode(std::string_view text);

} // namespace firefox
