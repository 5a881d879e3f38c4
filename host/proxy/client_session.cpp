// Serving a client: read the head, check it against the allowlist, reach the target, relay.
#include "proxy/client_session.h"

#include "core/log.h"
#include "proxy/proxy_request.h"
#include "proxy/socket_io.h"
#include "proxy/tunnel_relay.h"
#include "proxy/upstream_dial.h"

#include <chrono>
#include <exception>

namespace wdh::proxy {
namespace {

constexpr auto kHandshakeTimeout = std::chrono::seconds(30);
constexpr auto kIdleTimeout = std::chrono::minutes(5);
constexpr size_t kMaxHead = 64 * 1024;

const char* reasonFor(int status) {
  switch (status) {
  case 200:
    return "OK";
  case 400:
    return "Bad Request";
  case 403:
    return "Forbidden";
  case 405:
    return "Method Not Allowed";
  case 431:
    return "Request Header Fields Too Large";
  case 502:
    return "Bad Gateway";
  case 503:
    return "Service Unavailable";
  case 504:
    return "Gateway Timeout";
  default:
    return "Error";
  }
}

void answer(int fd, int status, const std::string& body, const IoBounds& bounds) {
  (void)writeAll(fd, textResponse(status, body), bounds);
}

void serve(Poco::Net::StreamSocket& client, const ProxyContext& context) {
  int clientFd = fdOf(client);
  IoBounds bounds = boundsIn(kHandshakeTimeout, context.stop);
  std::string head;
  std::string rest;
  Status s = readHttpHead(clientFd, kMaxHead, bounds, &head, &rest);
  if (!s.isOk()) {
    if (s.code() == ErrorCode::InvalidArgument) {
      context.refused->fetch_add(1);
      answer(clientFd, 431, "wdhost proxy: request head too large\n", bounds);
    }
    log(LogLevel::Debug, "proxy", "client request not read: " + s.message());
    return;
  }
  ProxyRequest request;
  int httpStatus = 0;
  s = parseProxyRequest(head, &request, &httpStatus);
  if (!s.isOk()) {
    context.refused->fetch_add(1);
    log(LogLevel::Debug, "proxy", "refused a malformed request: " + s.message());
    answer(clientFd, httpStatus, "wdhost proxy: " + s.message() + "\n", bounds);
    return;
  }
  if (!context.allowed(request.host)) {
    context.refused->fetch_add(1);
    log(LogLevel::Debug, "proxy", "refused " + request.host + ": not an allowed domain");
    answer(clientFd, 403,
           "wdhost proxy: " + request.host + " is not in this session's allowed domains\n", bounds);
    return;
  }

  const UpstreamProxy& upstream = context.upstream;
  bool viaHttpUpstream = upstream.kind == UpstreamProxy::Kind::Http;
  Poco::Net::StreamSocket server;
  std::string early;
  if (!request.isConnect && viaHttpUpstream) {
    s = dialTcp(upstream.host, upstream.port, bounds, &server);
    if (!s.isOk())
      s = s.withContext("upstream proxy");
  } else {
    s = openTunnel(upstream, request.host, request.port, bounds, &server, &early);
  }
  if (!s.isOk()) {
    context.failed->fetch_add(1);
    std::string target = authorityOf(request.host, request.port);
    log(LogLevel::Warn, "proxy", "cannot reach " + target + ": " + s.message());
    answer(clientFd, s.code() == ErrorCode::Timeout ? 504 : 502,
           "wdhost proxy: cannot reach " + target + ": " + s.message() + "\n", bounds);
    return;
  }

  std::string toServer;
  std::string toClient;
  if (request.isConnect) {
    toClient = "HTTP/1.1 200 Connection established\r\n\r\n" + early;
    toServer = rest;
  } else {
    toServer = (viaHttpUpstream ? upstreamFormHead(request, basicProxyAuthorization(upstream))
                                : originFormHead(request)) +
               rest;
  }
  context.served->fetch_add(1);
  log(LogLevel::Debug, "proxy",
      request.method + " " + authorityOf(request.host, request.port) + " forwarded");
  relayTunnel(clientFd, fdOf(server), std::move(toServer), std::move(toClient), kIdleTimeout,
              *context.stop);
}

} // namespace

std::string textResponse(int status, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reasonFor(status) +
         "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

void serveClient(Poco::Net::StreamSocket client, const ProxyContext& context) noexcept {
  try {
    serve(client, context);
  } catch (const std::exception& e) {
    log(LogLevel::Error, "proxy", std::string("client connection failed: ") + e.what());
  } catch (...) {
    log(LogLevel::Error, "proxy", "client connection failed: unknown exception");
  }
  try {
    client.close();
  } catch (...) {
  }
}

} // namespace wdh::proxy
