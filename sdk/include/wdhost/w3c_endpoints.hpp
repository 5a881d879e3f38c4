// Optional header-only helper: the W3C WebDriver session endpoints (WebDriver §"Endpoints",
// plus the Permissions and Web Authentication extensions) and the path matcher every in-process
// plugin and the host use, so that no one re-learns them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wdhost {
namespace w3c {

// One endpoint: its method and the path after /session/{id}, "*" for a variable segment
// (element id, shadow root id, cookie name, property name, ...).
struct Endpoint {
  std::string_view method;  // "GET", "POST" or "DELETE"
  std::string_view pattern; // "/element/*/click"
};

// Every session endpoint, in the spec's order.
inline constexpr Endpoint kSessionEndpoints[] = {
    {"GET", "/timeouts"},
    {"POST", "/timeouts"},
    {"POST", "/url"},
    {"GET", "/url"},
    {"POST", "/back"},
    {"POST", "/forward"},
    {"POST", "/refresh"},
    {"GET", "/title"},
    {"GET", "/window"},
    {"DELETE", "/window"},
    {"POST", "/window"},
    {"POST", "/window/new"},
    {"GET", "/window/handles"},
    {"POST", "/frame"},
    {"POST", "/frame/parent"},
    {"GET", "/window/rect"},
    {"POST", "/window/rect"},
    {"POST", "/window/maximize"},
    {"POST", "/window/minimize"},
    {"POST", "/window/fullscreen"},
    {"GET", "/element/active"},
    {"GET", "/element/*/shadow"},
    {"POST", "/element"},
    {"POST", "/elements"},
    {"POST", "/element/*/element"},
    {"POST", "/element/*/elements"},
    {"POST", "/shadow/*/element"},
    {"POST", "/shadow/*/elements"},
    {"GET", "/element/*/selected"},
    {"GET", "/element/*/displayed"}, // the spec's appendix "Element Displayedness"
    {"GET", "/element/*/attribute/*"},
    {"GET", "/element/*/property/*"},
    {"GET", "/element/*/css/*"},
    {"GET", "/element/*/text"},
    {"GET", "/element/*/name"},
    {"GET", "/element/*/rect"},
    {"GET", "/element/*/enabled"},
    {"GET", "/element/*/computedrole"},
    {"GET", "/element/*/computedlabel"},
    {"POST", "/element/*/click"},
    {"POST", "/element/*/clear"},
    {"POST", "/element/*/value"},
    {"GET", "/source"},
    {"POST", "/execute/sync"},
    {"POST", "/execute/async"},
    {"GET", "/cookie"},
    {"GET", "/cookie/*"},
    {"POST", "/cookie"},
    {"DELETE", "/cookie/*"},
    {"DELETE", "/cookie"},
    {"POST", "/actions"},
    {"DELETE", "/actions"},
    {"POST", "/alert/dismiss"},
    {"POST", "/alert/accept"},
    {"GET", "/alert/text"},
    {"POST", "/alert/text"},
    {"GET", "/screenshot"},
    {"GET", "/element/*/screenshot"},
    {"POST", "/print"},
    {"POST", "/permissions"},
    {"POST", "/webauthn/authenticator"},
    {"DELETE", "/webauthn/authenticator/*"},
    {"POST", "/webauthn/authenticator/*/credential"},
    {"GET", "/webauthn/authenticator/*/credentials"},
    {"DELETE", "/webauthn/authenticator/*/credentials/*"},
    {"DELETE", "/webauthn/authenticator/*/credentials"},
    {"POST", "/webauthn/authenticator/*/uv"},
};

// How many session endpoints kSessionEndpoints has.
inline constexpr std::size_t kSessionEndpointCount =
    sizeof(kSessionEndpoints) / sizeof(kSessionEndpoints[0]);

// The index of (method, pattern) in kSessionEndpoints, the key plugin tables use. Throws (so a
// table built in a constant expression fails to compile) when the pair is not there.
constexpr std::size_t endpointIndex(std::string_view method, std::string_view pattern) {
  for (std::size_t i = 0; i < kSessionEndpointCount; ++i)
    if (kSessionEndpoints[i].method == method && kSessionEndpoints[i].pattern == pattern)
      return i;
  throw "not a W3C session endpoint of wdhost::w3c::kSessionEndpoints";
}

// `text` with "%2F" and friends decoded; a malformed escape is kept as it is.
inline std::string percentDecode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
      return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// True when `path` (what follows /session/{id}, no query) has the segments of `pattern`, "*"
// matching one non-empty segment. On a match, when `segments` is given, it receives the "*"
// segments percent-decoded, in order.
inline bool matchPath(std::string_view pattern, std::string_view path,
                      std::vector<std::string>* segments = nullptr) {
  std::vector<std::string> found;
  while (!pattern.empty() && !path.empty()) {
    if (pattern.front() != '/' || path.front() != '/')
      return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    std::size_t patternEnd = pattern.find('/');
    std::size_t pathEnd = path.find('/');
    std::string_view want = pattern.substr(0, patternEnd);
    std::string_view have = path.substr(0, pathEnd);
    if (have.empty() || (want != "*" && want != have))
      return false;
    if (want == "*" && segments != nullptr)
      found.push_back(percentDecode(have));
    pattern =
        patternEnd == std::string_view::npos ? std::string_view() : pattern.substr(patternEnd);
    path = pathEnd == std::string_view::npos ? std::string_view() : path.substr(pathEnd);
  }
  if (!pattern.empty() || !path.empty())
    return false;
  if (segments != nullptr)
    *segments = std::move(found);
  return true;
}

// A request matched against kSessionEndpoints.
struct EndpointMatch {
  // The endpoint's index; kSessionEndpointCount when none matched (see allowedMethods).
  std::size_t index = kSessionEndpointCount;
  std::vector<std::string> segments; // its "*" segments, percent-decoded, in order
  // When no endpoint matched but the path is known with other methods: those, "GET, POST".
  std::string allowedMethods;

  // True when an endpoint matched.
  bool found() const noexcept { return index < kSessionEndpointCount; }
};

// Matches `method` and `path` (what follows /session/{id}; a query and a trailing slash are
// ignored) against every session endpoint.
inline EndpointMatch matchEndpoint(std::string_view method, std::string_view path) {
  path = path.substr(0, path.find('?'));
  if (path.size() > 1 && path.back() == '/')
    path.remove_suffix(1);
  EndpointMatch match;
  for (std::size_t i = 0; i < kSessionEndpointCount; ++i) {
    const Endpoint& endpoint = kSessionEndpoints[i];
    std::vector<std::string> segments;
    if (!matchPath(endpoint.pattern, path, &segments))
      continue;
    if (endpoint.method == method) {
      match.index = i;
      match.segments = std::move(segments);
      match.allowedMethods.clear();
      return match;
    }
    if (match.allowedMethods.find(endpoint.method) == std::string::npos)
      match.allowedMethods +=
          (match.allowedMethods.empty() ? "" : ", ") + std::string(endpoint.method);
  }
  return match;
}

} // namespace w3c
} // namespace wdhost
