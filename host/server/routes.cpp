#include "server/routes.h"

#include <array>
#include <string>

namespace wdh {
namespace {

// A W3C WebDriver session endpoint: method and the path after /session/{id}, with "*" for a
// variable segment (element id, shadow id, cookie name, property name...). WebDriver §"Endpoints".
struct Endpoint {
  std::string_view method;
  std::string_view suffix;
};

constexpr std::array<Endpoint, 61> kSessionEndpoints = {{
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
}};

// True when `suffix` has the segments of `pattern`, "*" matching any one non-empty segment.
bool suffixMatches(std::string_view pattern, std::string_view suffix) {
  while (!pattern.empty() && !suffix.empty()) {
    if (pattern.front() != '/' || suffix.front() != '/')
      return false;
    pattern.remove_prefix(1);
    suffix.remove_prefix(1);
    std::size_t pEnd = pattern.find('/');
    std::size_t sEnd = suffix.find('/');
    std::string_view pSeg = pattern.substr(0, pEnd);
    std::string_view sSeg = suffix.substr(0, sEnd);
    if (sSeg.empty() || (pSeg != "*" && pSeg != sSeg))
      return false;
    pattern = pEnd == std::string_view::npos ? std::string_view() : pattern.substr(pEnd);
    suffix = sEnd == std::string_view::npos ? std::string_view() : suffix.substr(sEnd);
  }
  return pattern.empty() && suffix.empty();
}

Status unknownCommand(std::string_view method, std::string_view path) {
  return Status(ErrorCode::UnknownCommand,
                "no WebDriver command is " + std::string(method) + " " + std::string(path));
}

Status unknownMethod(std::string_view method, std::string_view path, std::string allowed) {
  return Status(ErrorCode::UnknownMethod, std::string(path) + " does not take " +
                                              std::string(method) + "; it takes " + allowed);
}

} // namespace

Status matchRoute(std::string_view method, std::string_view path, Route* out) {
  std::string_view full = path;
  constexpr std::string_view kLegacyPrefix = "/wd/hub";
  if (path.substr(0, kLegacyPrefix.size()) == kLegacyPrefix &&
      (path.size() == kLegacyPrefix.size() || path[kLegacyPrefix.size()] == '/'))
    path.remove_prefix(kLegacyPrefix.size());
  if (path.size() > 1 && path.back() == '/')
    path.remove_suffix(1);

  if (path == "/status") {
    if (method != "GET")
      return unknownMethod(method, full, "GET");
    out->kind = RouteKind::Status;
    return Status::ok();
  }
  if (full == "/api/v1" || full == "/api/v1/") {
    if (method != "POST")
      return unknownMethod(method, full, "POST");
    out->kind = RouteKind::SessionsApi;
    return Status::ok();
  }
  if (full == "/metrics") {
    if (method != "GET")
      return unknownMethod(method, full, "GET");
    out->kind = RouteKind::Metrics;
    return Status::ok();
  }
  if (full == "/ui" || full.substr(0, 4) == "/ui/") {
    out->kind = RouteKind::StatusPage;
    out->suffix = full.substr(3);
    return Status::ok();
  }
  if (full == "/wdhost/drain") {
    if (method != "POST")
      return unknownMethod(method, full, "POST");
    out->kind = RouteKind::Drain;
    return Status::ok();
  }
  if (path == "/session") {
    if (method != "POST")
      return unknownMethod(method, full, "POST");
    out->kind = RouteKind::NewSession;
    return Status::ok();
  }
  constexpr std::string_view kSession = "/session/";
  if (path.substr(0, kSession.size()) != kSession)
    return unknownCommand(method, full);
  std::string_view rest = path.substr(kSession.size());
  std::size_t slash = rest.find('/');
  std::string_view id = rest.substr(0, slash);
  if (id.empty())
    return unknownCommand(method, full);
  out->sessionId = id;
  if (slash == std::string_view::npos) {
    if (method != "DELETE")
      return unknownMethod(method, full, "DELETE");
    out->kind = RouteKind::DeleteSession;
    return Status::ok();
  }
  std::string_view suffix = rest.substr(slash);
  if (suffix == "/se/bidi" || suffix == "/se/cdp") {
    if (method != "GET")
      return unknownMethod(method, full, "GET (a websocket upgrade)");
    out->kind = RouteKind::WebSocket;
    out->socket = suffix == "/se/bidi" ? SocketKind::Bidi : SocketKind::Cdp;
    return Status::ok();
  }
  if (suffix == "/se/file" || suffix == "/se/files") {
    bool upload = suffix == "/se/file";
    if (upload ? method != "POST" : method != "GET" && method != "POST" && method != "DELETE")
      return unknownMethod(method, full, upload ? "POST" : "GET, POST, DELETE");
    out->kind = RouteKind::SessionFiles;
    out->suffix = suffix;
    return Status::ok();
  }
  std::string allowed;
  for (const Endpoint& endpoint : kSessionEndpoints) {
    if (!suffixMatches(endpoint.suffix, suffix))
      continue;
    if (endpoint.method == method) {
      allowed.clear();
      break;
    }
    if (!allowed.empty())
      allowed += ", ";
    allowed += endpoint.method;
  }
  if (!allowed.empty())
    return unknownMethod(method, full, allowed);
  out->kind = RouteKind::SessionCommand;
  out->suffix = suffix;
  return Status::ok();
}

} // namespace wdh
