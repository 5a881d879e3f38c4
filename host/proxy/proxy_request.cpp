// Strict parsing of proxy request heads and their rewriting for origins and HTTP upstreams.
#include "proxy/proxy_request.h"

#include <cctype>

namespace wdh::proxy {
namespace {

bool isTokenChar(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return std::isalnum(u) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool isToken(std::string_view s) {
  if (s.empty())
    return false;
  for (char c : s) {
    if (!isTokenChar(c))
      return false;
  }
  return true;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool parsePort(std::string_view text, uint16_t* port) {
  if (text.empty() || text.size() > 5)
    return false;
  unsigned value = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value == 0 || value > 65535)
    return false;
  *port = static_cast<uint16_t>(value);
  return true;
}

bool validHost(std::string_view host, bool bracketed) {
  if (host.empty() || host.size() > 253)
    return false;
  for (char c : host) {
    unsigned char u = static_cast<unsigned char>(c);
    bool ok = bracketed ? (std::isxdigit(u) || c == ':' || c == '.')
                        : (std::isalnum(u) || c == '-' || c == '.' || c == '_');
    if (!ok)
      return false;
  }
  return true;
}

// Splits "host[:port]" (IPv6 in brackets); `defaultPort` 0 means the port is required.
bool parseAuthority(std::string_view authority, uint16_t defaultPort, std::string* host,
                    uint16_t* port) {
  std::string_view name;
  std::string_view portText;
  bool bracketed = false;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos)
      return false;
    name = authority.substr(1, close - 1);
    bracketed = true;
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':')
        return false;
      portText = after.substr(1);
      if (portText.empty())
        return false;
    }
  } else {
    size_t colon = authority.rfind(':');
    name = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      portText = authority.substr(colon + 1);
      if (portText.empty())
        return false;
    }
  }
  if (!validHost(name, bracketed))
    return false;
  if (portText.empty()) {
    if (defaultPort == 0)
      return false;
    *port = defaultPort;
  } else if (!parsePort(portText, port)) {
    return false;
  }
  *host = lower(name);
  return true;
}

Status bad(int* httpStatus, int status, std::string message) {
  *httpStatus = status;
  return Status(ErrorCode::InvalidArgument, std::move(message));
}

bool isForwardableMethod(std::string_view method) {
  for (std::string_view m : {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"}) {
    if (method == m)
      return true;
  }
  return false;
}

bool isHopByHop(std::string_view name) {
  for (std::string_view h : {"connection", "proxy-connection", "keep-alive", "proxy-authorization",
                             "proxy-authenticate", "te", "upgrade"}) {
    if (equalsIgnoreCase(name, h))
      return true;
  }
  return false;
}

} // namespace

std::string authorityOf(const std::string& host, uint16_t port) {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Status parseProxyRequest(std::string_view head, ProxyRequest* out, int* httpStatus) {
  ProxyRequest request;
  size_t lineEnd = head.find("\r\n");
  if (lineEnd == std::string_view::npos)
    return bad(httpStatus, 400, "no request line");
  std::string_view line = head.substr(0, lineEnd);
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
    return bad(httpStatus, 400, "malformed request line");
  request.method = std::string(line.substr(0, sp1));
  request.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
  request.version = std::string(line.substr(sp2 + 1));
  if (!isToken(request.method))
    return bad(httpStatus, 400, "malformed method");
  if (request.version != "HTTP/1.1" && request.version != "HTTP/1.0")
    return bad(httpStatus, 400, "unsupported HTTP version");
  for (char c : request.target) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f)
      return bad(httpStatus, 400, "malformed request target");
  }

  std::string_view fields = head.substr(lineEnd + 2);
  while (!fields.empty()) {
    size_t end = fields.find("\r\n");
    if (end == std::string_view::npos)
      return bad(httpStatus, 400, "malformed header section");
    std::string_view field = fields.substr(0, end);
    fields.remove_prefix(end + 2);
    if (field.empty())
      break;
    size_t colon = field.find(':');
    if (colon == std::string_view::npos || !isToken(field.substr(0, colon)))
      return bad(httpStatus, 400, "malformed header field");
    std::string_view value = trim(field.substr(colon + 1));
    for (char c : value) {
      if (c == '\r' || c == '\n' || c == '\0')
        return bad(httpStatus, 400, "malformed header value");
    }
    request.headers.emplace_back(std::string(field.substr(0, colon)), std::string(value));
  }

  if (request.method == "CONNECT") {
    request.isConnect = true;
    if (!parseAuthority(request.target, 0, &request.host, &request.port))
      return bad(httpStatus, 400, "CONNECT needs host:port");
  } else {
    constexpr std::string_view scheme = "http://";
    if (request.target.size() < scheme.size() ||
        !equalsIgnoreCase(std::string_view(request.target).substr(0, scheme.size()), scheme))
      return bad(httpStatus, 400, "this proxy takes CONNECT or absolute http:// request targets");
    if (!isForwardableMethod(request.method))
      return bad(httpStatus, 405, "method not allowed through this proxy");
    std::string_view rest = std::string_view(request.target).substr(scheme.size());
    size_t pathStart = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, pathStart);
    if (authority.find('@') != std::string_view::npos)
      return bad(httpStatus, 400, "user information in the request target");
    if (!parseAuthority(authority, 80, &request.host, &request.port))
      return bad(httpStatus, 400, "bad host in the request target");
    std::string_view path =
        pathStart == std::string_view::npos ? std::string_view() : rest.substr(pathStart);
    size_t fragment = path.find('#');
    if (fragment != std::string_view::npos)
      path = path.substr(0, fragment);
    request.path =
        path.empty() || path.front() != '/' ? "/" + std::string(path) : std::string(path);
  }
  *out = std::move(request);
  *httpStatus = 0;
  return Status::ok();
}

std::string originFormHead(const ProxyRequest& request) {
  std::string head = request.method + " " + request.path + " " + request.version + "\r\n";
  bool defaultPort = request.port == 80;
  std::string authority = authorityOf(request.host, request.port);
  if (defaultPort)
    authority = authority.substr(0, authority.rfind(':'));
  head += "Host: " + authority + "\r\n";
  for (const auto& [name, value] : request.headers) {
    if (isHopByHop(name) || equalsIgnoreCase(name, "host"))
      continue;
    head += name + ": " + value + "\r\n";
  }
  head += "Connection: close\r\n\r\n";
  return head;
}

std::string upstreamFormHead(const ProxyRequest& request, const std::string& proxyAuthorization) {
  std::string head = request.method + " " + request.target + " " + request.version + "\r\n";
  for (const auto& [name, value] : request.headers) {
    if (isHopByHop(name))
      continue;
    head += name + ": " + value + "\r\n";
  }
  if (!proxyAuthorization.empty())
    head += "Proxy-Authorization: " + proxyAuthorization + "\r\n";
  head += "Connection: close\r\nProxy-Connection: close\r\n\r\n";
  return head;
}

} // namespace wdh::proxy
