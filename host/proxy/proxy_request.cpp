// Proxy request heads: read by Poco, held to a proxy's strictness, rewritten for origins and HTTP
// upstreams.
#include "proxy/proxy_request.h"

#include "http/head_stream.h"
#include "http/token.h"
#include "proxy/domain_match.h"

#include <Poco/Exception.h>
#include <Poco/String.h>
#include <algorithm>
#include <cctype>

namespace wdh::proxy {
namespace {

Status bad(int* httpStatus, int status, std::string message) {
  *httpStatus = status;
  return Status(ErrorCode::InvalidArgument, std::move(message));
}

// What Poco's reader lets pass but this proxy refuses, as its own parser did ("" when nothing):
// doubled spaces or extra words on the request line, other versions, control bytes in the
// target, lines without a colon (Poco skips them), folded lines (Poco joins them), bad names.
std::string laxness(std::string_view text, const Poco::Net::HTTPRequest& head) {
  const std::string& target = head.getURI();
  std::string line = head.getMethod() + " " + target + " " + head.getVersion() + "\r\n";
  if (text.substr(0, line.size()) != line)
    return "malformed request line";
  if (!isHttpToken(head.getMethod()))
    return "malformed method";
  if (head.getVersion() != "HTTP/1.1" && head.getVersion() != "HTTP/1.0")
    return "unsupported HTTP version";
  if (std::any_of(target.begin(), target.end(),
                  [](unsigned char c) { return c <= 0x20 || c >= 0x7f; }))
    return "malformed request target";
  size_t lines = 0;
  for (size_t at = text.find("\r\n"); at != std::string_view::npos; at = text.find("\r\n", at + 2))
    ++lines;
  if (lines != head.size() + 2)
    return "malformed header section";
  for (const auto& field : head) {
    if (!isHttpToken(field.first))
      return "malformed header field";
  }
  return "";
}

bool isForwardableMethod(std::string_view method) {
  for (std::string_view m : {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"}) {
    if (method == m)
      return true;
  }
  return false;
}

// The fields a proxy passes on (neither hop-by-hop ones nor `alsoDrop`), as "Name: value" lines.
std::string endToEndFields(const Poco::Net::HTTPRequest& head, const std::string& alsoDrop) {
  std::string out;
  for (const auto& [name, value] : head) {
    bool drop = Poco::icompare(name, alsoDrop) == 0;
    for (const char* hop : {"connection", "proxy-connection", "keep-alive", "proxy-authorization",
                            "proxy-authenticate", "te", "upgrade"})
      drop = drop || Poco::icompare(name, hop) == 0;
    if (!drop)
      out += name + ": " + value + "\r\n";
  }
  return out;
}

} // namespace

std::string authorityOf(const std::string& host, uint16_t port) {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Status parseProxyRequest(std::string_view text, ProxyRequest* out, int* httpStatus) {
  ProxyRequest request;
  request.head.setFieldLimit(0); // no limit on the number of fields, as before Poco read them
  try {
    request.head.read(headStream(text));
  } catch (const Poco::Exception& e) {
    return bad(httpStatus, 400, "malformed request head: " + e.message());
  }
  std::string problem = laxness(text, request.head);
  if (!problem.empty())
    return bad(httpStatus, 400, problem);

  const std::string& target = request.head.getURI();
  if (request.head.getMethod() == "CONNECT") {
    request.isConnect = true;
    if (!splitAuthority(target, &request.host, &request.port).isOk() || request.port == 0)
      return bad(httpStatus, 400, "CONNECT needs host:port");
  } else {
    if (Poco::icompare(target.substr(0, 7), std::string("http://")) != 0)
      return bad(httpStatus, 400, "this proxy takes CONNECT or absolute http:// request targets");
    if (!isForwardableMethod(request.head.getMethod()))
      return bad(httpStatus, 405, "method not allowed through this proxy");
    size_t pathStart = target.find_first_of("/?#", 7);
    std::string authority = target.substr(7, pathStart - 7);
    if (authority.find('@') != std::string::npos)
      return bad(httpStatus, 400, "user information in the request target");
    if (!splitAuthority(authority, &request.host, &request.port).isOk())
      return bad(httpStatus, 400, "bad host in the request target");
    if (request.port == 0)
      request.port = 80;
    std::string path = pathStart == std::string::npos ? "" : target.substr(pathStart);
    path = path.substr(0, path.find('#'));
    request.path = path.empty() || path.front() != '/' ? "/" + path : path;
  }
  *out = std::move(request);
  *httpStatus = 0;
  return Status::ok();
}

std::string originFormHead(const ProxyRequest& request) {
  std::string authority = authorityOf(request.host, request.port);
  if (request.port == 80)
    authority.erase(authority.rfind(':'));
  return request.head.getMethod() + " " + request.path + " " + request.head.getVersion() +
         "\r\nHost: " + authority + "\r\n" + endToEndFields(request.head, "host") +
         "Connection: close\r\n\r\n";
}

std::string upstreamFormHead(const ProxyRequest& request, const std::string& proxyAuthorization) {
  std::string head = request.head.getMethod() + " " + request.head.getURI() + " " +
                     request.head.getVersion() + "\r\n" + endToEndFields(request.head, "");
  if (!proxyAuthorization.empty())
    head += "Proxy-Authorization: " + proxyAuthorization + "\r\n";
  return head + "Connection: close\r\nProxy-Connection: close\r\n\r\n";
}

} // namespace wdh::proxy
