#include "server/request_gate.h"

#include <Poco/Net/IPAddress.h>
#include <Poco/String.h>
#include <algorithm>
#include <arpa/inet.h>

namespace wdh {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  Poco::toLowerInPlace(out);
  return out;
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

bool allDigits(std::string_view text) {
  return !text.empty() && text.size() <= 5 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool listed(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// The target's path, without the query.
std::string_view pathOf(std::string_view target) {
  return target.substr(0, target.find('?'));
}

// A top-level navigation to the status page (a person following a link to it): its answer is
// shown to that person, never readable by the page the link was on, and it changes nothing.
bool navigatesToStatusPage(const Request& request) {
  std::string_view path = pathOf(request.target);
  return request.method == "GET" && lower(request.secFetchMode) == "navigate" &&
         (path == "/" || path == "/ui" || path == "/ui/");
}

// Content types a page may POST cross-origin without a CORS preflight (the Fetch standard's
// CORS-safelisted request-header values of Content-Type).
bool sentWithoutPreflight(const std::string& type) {
  return type == "text/plain" || type == "application/x-www-form-urlencoded" ||
         type == "multipart/form-data";
}

bool refuse(GateRefusal* refusal, int httpStatus, std::string message) {
  refusal->httpStatus = httpStatus;
  refusal->status = Status(ErrorCode::InvalidArgument, std::move(message));
  return false;
}

std::string quoted(std::string_view value) {
  std::string shown(value.substr(0, 200));
  for (char& c : shown)
    if (static_cast<unsigned char>(c) < 0x20 || c == '"' || c == 0x7f)
      c = '?';
  return "\"" + shown + (value.size() > 200 ? "...\"" : "\"");
}

} // namespace

bool hostAllowed(std::string_view hostHeader, const GatePolicy& policy) {
  std::string_view value = trimmed(hostHeader);
  if (value.empty())
    return true; // HTTP/1.0 clients may send none; browsers always send one
  std::string_view name = value;
  std::string_view port;
  if (value.front() == '[') {
    std::size_t close = value.find(']');
    if (close == std::string_view::npos)
      return false;
    name = value.substr(1, close - 1);
    std::string_view rest = value.substr(close + 1);
    if (!rest.empty() && (rest.front() != ':' || !allDigits(rest.substr(1))))
      return false;
    in6_addr address{};
    return inet_pton(AF_INET6, std::string(name).c_str(), &address) == 1;
  }
  std::size_t colon = value.rfind(':');
  if (colon != std::string_view::npos) {
    name = value.substr(0, colon);
    port = value.substr(colon + 1);
    if (!allDigits(port) || name.find(':') != std::string_view::npos)
      return false;
  }
  std::string host = lower(name);
  if (!host.empty() && host.back() == '.')
    host.pop_back();
  if (host.empty())
    return false;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1)
    return true; // an address is never a name DNS could rebind
  constexpr std::string_view kLocal = ".localhost";
  if (host == "localhost" ||
      (host.size() > kLocal.size() &&
       host.compare(host.size() - kLocal.size(), kLocal.size(), kLocal.data(), kLocal.size()) == 0))
    return true; // browsers resolve localhost themselves, never through DNS
  return listed(policy.allowedHosts, host) || listed(policy.allowedHosts, "*");
}

bool originAllowed(std::string_view origin, std::string_view hostHeader, const GatePolicy& policy) {
  std::string asked = lower(trimmed(origin));
  if (listed(policy.allowedOrigins, "*") || listed(policy.allowedOrigins, asked))
    return true;
  // The host's own pages (the status page) run at the origin the Host header names; nobody else
  // serves pages there.
  std::string host = lower(trimmed(hostHeader));
  return !host.empty() && hostAllowed(host, policy) &&
         (asked == "http://" + host || asked == "https://" + host);
}

std::string mediaType(std::string_view contentType) {
  return lower(trimmed(contentType.substr(0, contentType.find(';'))));
}

bool admitRequest(const Request& request, const GatePolicy& policy, GateRefusal* refusal) {
  if (!hostAllowed(request.host, policy))
    return refuse(refusal, 403,
                  "the Host header " + quoted(request.host) +
                      " does not name this host: address it by an IP address or localhost, or "
                      "allow the name with --allowed-hosts (or --public-url); other names are "
                      "refused so that a web page cannot reach the host through DNS rebinding");
  bool fromPage = !request.origin.empty();
  if (fromPage && !originAllowed(request.origin, request.host, policy))
    return refuse(refusal, 403,
                  "a request from the web page at Origin " + quoted(request.origin) +
                      " is refused: WebDriver clients send no Origin header; allow a page's "
                      "origin with --allowed-origins");
  std::string site = lower(request.secFetchSite);
  if (!fromPage && !site.empty() && site != "same-origin" && site != "none" &&
      !navigatesToStatusPage(request))
    return refuse(refusal, 403,
                  "a " + site + " request from a web page (Sec-Fetch-Site: " + site +
                      ") is refused: WebDriver clients send no Sec-Fetch-Site header; allow a "
                      "page's origin with --allowed-origins");
  if (request.method == "POST") {
    std::string type = mediaType(request.contentType);
    if (sentWithoutPreflight(type))
      return refuse(refusal, 415,
                    "a POST body of Content-Type " + quoted(request.contentType) +
                        " is refused, as web pages may send it to any host: send "
                        "Content-Type: application/json");
    if (type.empty() && fromPage)
      return refuse(refusal, 415, "a POST from a web page needs Content-Type: application/json");
  }
  return true;
}

} // namespace wdh
