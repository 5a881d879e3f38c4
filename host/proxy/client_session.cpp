// Serving a client: read the head, check it against the allowlist, reach the target, relay.
#include "proxy/client_session.h"

#include "core/log.h"
#include "http/socket_io.h"
#include "proxy/proxy_request.h"
#include "proxy/upstream_dial.h"

#include <Poco/Net/HTTPResponse.h>
#include <chrono>
#include <unistd.h>

namespace wdh::proxy {
namespace {

constexpr auto kHandshakeTimeout = std::chrono::seconds(30);
constexpr size_t kMaxHead = 64 * 1024;

void answer(int fd, int status, const std::string& body, const IoBounds& bounds) {
  (void)writeAll(fd, textResponse(status, body), bounds);
}

} // namespace

void serveClient(int clientFd, ProxyContext& context) {
  IoBounds bounds = boundsIn(kHandshakeTimeout, context.stopFd);
  std::string head;
  std::string rest;
  Status s = readHttpHead(clientFd, kMaxHead, bounds, &head, &rest);
  if (!s.isOk()) {
    if (s.code() == ErrorCode::InvalidArgument) {
      context.refused.fetch_add(1);
      answer(clientFd, 431, "wdhost proxy: request head too large\n", bounds);
    }
    log(LogLevel::Debug, "proxy", "client request not read: " + s.message());
    return;
  }
  ProxyRequest request;
  int httpStatus = 0;
  s = parseProxyRequest(head, &request, &httpStatus);
  if (!s.isOk()) {
    context.refused.fetch_add(1);
    log(LogLevel::Debug, "proxy", "refused a malformed request: " + s.message());
    answer(clientFd, httpStatus, "wdhost proxy: " + s.message() + "\n", bounds);
    return;
  }
  if (!context.allowed(request.host)) {
    context.refused.fetch_add(1);
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
    s = dialTcp(upstream.host, upstream.port, upstreamPolicy(upstream, context.policy), bounds,
                &server);
    if (!s.isOk())
      s = s.withContext("upstream proxy");
  } else {
    s = openTunnel(upstream, request.host, request.port, context.policy, bounds, &server, &early);
  }
  std::string target = authorityOf(request.host, request.port);
  if (s.code() == ErrorCode::InvalidArgument) {
    // The target policy refused every address: nothing was connected.
    context.refused.fetch_add(1);
    log(LogLevel::Info, "proxy", s.message());
    answer(clientFd, 403, "wdhost proxy: " + s.message() + "\n", bounds);
    return;
  }
  if (!s.isOk()) {
    context.failed.fetch_add(1);
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
  context.served.fetch_add(1);
  log(LogLevel::Debug, "proxy",
      request.head.getMethod() + " " + authorityOf(request.host, request.port) + " forwarded");
  int client = ::dup(clientFd);
  int serverFd = client < 0 ? -1 : ::dup(server.impl()->sockfd());
  if (serverFd < 0) {
    if (client >= 0)
      ::close(client);
    context.failed.fetch_add(1);
    answer(clientFd, 502, "wdhost proxy: out of descriptors\n", bounds);
    return;
  }
  context.pumps->adopt(client, serverFd, std::move(toServer), std::move(toClient));
}

std::string textResponse(int status, const std::string& body, const std::string& extraFields) {
  auto code = static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status);
  return "HTTP/1.1 " + std::to_string(status) + " " +
         Poco::Net::HTTPResponse::getReasonForStatus(code) + "\r\n" + extraFields +
         "Content-Type: text/plain; charset=utf-8\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

} // namespace wdh::proxy
