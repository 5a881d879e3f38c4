#include "server/routes.h"

#include <string>
#include <wdhost/w3c_endpoints.hpp>

namespace wdh {
namespace {

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
  if (suffix == "/se/event") {
    if (method != "POST")
      return unknownMethod(method, full, "POST");
    out->kind = RouteKind::SessionEvent;
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
  for (const wdhost::w3c::Endpoint& endpoint : wdhost::w3c::kSessionEndpoints) {
    if (!wdhost::w3c::matchPath(endpoint.pattern, suffix))
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
