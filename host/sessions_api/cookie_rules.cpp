#include "sessions_api/cookie_rules.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeParser.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/String.h>
#include <algorithm>

namespace wdh {
namespace {

bool isIpAddress(const std::string& host) {
  Poco::Net::IPAddress ignored;
  return Poco::Net::IPAddress::tryParse(host, ignored);
}

// RFC 6265 5.1.3: `host` is `domain` or a name under it (never for an IP address).
bool domainMatches(const std::string& host, const std::string& domain) {
  if (domain.empty())
    return false;
  if (host == domain)
    return true;
  return host.size() > domain.size() && !isIpAddress(host) &&
         host.compare(host.size() - domain.size(), domain.size(), domain) == 0 &&
         host[host.size() - domain.size() - 1] == '.';
}

// RFC 6265 5.1.4.
bool pathMatches(const std::string& requestPath, const std::string& cookiePath) {
  if (requestPath == cookiePath)
    return true;
  if (requestPath.rfind(cookiePath, 0) != 0)
    return false;
  return (!cookiePath.empty() && cookiePath.back() == '/') || requestPath[cookiePath.size()] == '/';
}

// RFC 6265 5.1.4's default-path: the URL path up to its last '/'.
std::string defaultPath(const std::string& path) {
  if (path.empty() || path[0] != '/')
    return "/";
  std::size_t last = path.rfind('/');
  return last == 0 ? "/" : path.substr(0, last);
}

std::string stringAt(const rapidjson::Value& object, const char* name) {
  auto it = object.FindMember(name);
  return it != object.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

bool boolAt(const rapidjson::Value& object, const char* name) {
  auto it = object.FindMember(name);
  return it != object.MemberEnd() && it->value.IsTrue();
}

} // namespace

bool cookieApplies(const StoredCookie& cookie, const Poco::URI& url) {
  std::string host = Poco::toLower(url.getHost());
  std::string domain = Poco::toLower(cookie.domain);
  if (cookie.hostOnly ? host != domain : !domainMatches(host, domain))
    return false;
  if (cookie.secure && url.getScheme() != "https")
    return false;
  std::string path = url.getPath().empty() ? "/" : url.getPath();
  return pathMatches(path, cookie.path.empty() ? "/" : cookie.path);
}

std::string cookieHeaderFor(const std::vector<StoredCookie>& jar, const Poco::URI& url) {
  std::vector<const StoredCookie*> sent;
  for (const StoredCookie& cookie : jar)
    if (cookieApplies(cookie, url))
      sent.push_back(&cookie);
  std::stable_sort(sent.begin(), sent.end(), [](const StoredCookie* x, const StoredCookie* y) {
    return x->path.size() > y->path.size();
  });
  std::string header;
  for (const StoredCookie* cookie : sent)
    header += (header.empty() ? "" : "; ") + cookie->name + "=" + cookie->value;
  return header;
}

bool parseSetCookie(std::string_view line, const Poco::URI& url, std::int64_t now,
                    StoredCookie* out) {
  auto trim = [](std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
      text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
      text.remove_suffix(1);
    return text;
  };
  std::size_t semicolon = line.find(';');
  std::string_view pair = line.substr(0, semicolon);
  std::size_t equals = pair.find('=');
  if (equals == std::string_view::npos)
    return false;
  StoredCookie cookie;
  cookie.name = std::string(trim(pair.substr(0, equals)));
  cookie.value = std::string(trim(pair.substr(equals + 1)));
  if (cookie.name.empty())
    return false;
  std::string domain;
  std::string path;
  bool hasMaxAge = false;
  std::int64_t maxAge = 0;
  bool hasExpires = false;
  std::int64_t expires = 0;
  std::string_view rest =
      semicolon == std::string_view::npos ? std::string_view() : line.substr(semicolon + 1);
  while (!rest.empty()) {
    std::size_t end = rest.find(';');
    std::string_view attribute = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    std::size_t eq = attribute.find('=');
    std::string key = Poco::toLower(std::string(trim(attribute.substr(0, eq))));
    std::string value =
        eq == std::string_view::npos ? "" : std::string(trim(attribute.substr(eq + 1)));
    if (key == "domain" && !value.empty()) {
      domain = Poco::toLower(value[0] == '.' ? value.substr(1) : value);
    } else if (key == "path") {
      path = value;
    } else if (key == "secure") {
      cookie.secure = true;
    } else if (key == "httponly") {
      cookie.httpOnly = true;
    } else if (key == "samesite") {
      std::string lower = Poco::toLower(value);
      cookie.sameSite = lower == "strict" ? "Strict"
                        : lower == "lax"  ? "Lax"
                        : lower == "none" ? "None"
                                          : "";
    } else if (key == "max-age") {
      bool digits = !value.empty() && value.find_first_not_of("-0123456789") == std::string::npos &&
                    value.find('-', 1) == std::string::npos && value.size() < 18;
      if (digits) {
        hasMaxAge = true;
        maxAge = std::stoll(value);
      }
    } else if (key == "expires") {
      Poco::DateTime when;
      int zone = 0;
      if (Poco::DateTimeParser::tryParse(value, when, zone)) {
        hasExpires = true;
        expires = when.timestamp().epochTime() - zone;
      }
    }
  }
  std::string host = Poco::toLower(url.getHost());
  if (domain.empty()) {
    cookie.domain = host;
    cookie.hostOnly = true;
  } else {
    // A Domain must hold the host and be more than one label (a public suffix like "com" is
    // refused by browsers; the full public suffix list is not here).
    bool oneLabel = domain.find('.') == std::string::npos && domain != host;
    if (oneLabel || !domainMatches(host, domain))
      return false;
    cookie.domain = domain;
  }
  cookie.path = path.empty() || path[0] != '/' ? defaultPath(url.getPath()) : path;
  if (cookie.secure && url.getScheme() != "https")
    return false;
  if (hasMaxAge)
    cookie.expiry = maxAge <= 0 ? 0 : now + maxAge;
  else if (hasExpires)
    cookie.expiry = std::max<std::int64_t>(expires, 0);
  *out = std::move(cookie);
  return true;
}

void storeCookie(std::vector<StoredCookie>* jar, const StoredCookie& cookie, std::int64_t now) {
  jar->erase(std::remove_if(jar->begin(), jar->end(),
                            [&](const StoredCookie& kept) {
                              return kept.name == cookie.name && kept.domain == cookie.domain &&
                                     kept.path == cookie.path && kept.hostOnly == cookie.hostOnly;
                            }),
             jar->end());
  if (cookie.expiry < 0 || cookie.expiry > now)
    jar->push_back(cookie);
}

bool cookieFromBidi(const rapidjson::Value& bidi, StoredCookie* out) {
  if (!bidi.IsObject() || !bidi.HasMember("value") || !bidi["value"].IsObject())
    return false;
  StoredCookie cookie;
  cookie.name = stringAt(bidi, "name");
  cookie.value = stringAt(bidi["value"], "value");
  // Browsers list a domain cookie's domain with a leading dot, a host-only one's without.
  cookie.domain = Poco::toLower(stringAt(bidi, "domain"));
  cookie.hostOnly = cookie.domain.empty() || cookie.domain[0] != '.';
  if (!cookie.hostOnly)
    cookie.domain.erase(0, 1);
  cookie.path = stringAt(bidi, "path");
  if (cookie.path.empty())
    cookie.path = "/";
  cookie.secure = boolAt(bidi, "secure");
  cookie.httpOnly = boolAt(bidi, "httpOnly");
  std::string sameSite = Poco::toLower(stringAt(bidi, "sameSite"));
  cookie.sameSite = sameSite == "strict" ? "Strict"
                    : sameSite == "lax"  ? "Lax"
                    : sameSite == "none" ? "None"
                                         : "";
  auto expiry = bidi.FindMember("expiry");
  if (expiry != bidi.MemberEnd() && expiry->value.IsNumber())
    cookie.expiry = static_cast<std::int64_t>(expiry->value.GetDouble());
  if (cookie.name.empty() || cookie.domain.empty())
    return false;
  *out = std::move(cookie);
  return true;
}

void cookieToBidi(const StoredCookie& cookie, rapidjson::Value* out,
                  rapidjson::Document::AllocatorType& a) {
  out->SetObject();
  rapidjson::Value value(rapidjson::kObjectType);
  value.AddMember("type", "string", a);
  value.AddMember("value", rapidjson::Value(cookie.value.c_str(), a), a);
  out->AddMember("name", rapidjson::Value(cookie.name.c_str(), a), a);
  out->AddMember("value", value, a);
  std::string domain = cookie.hostOnly ? cookie.domain : "." + cookie.domain;
  out->AddMember("domain", rapidjson::Value(domain.c_str(), a), a);
  out->AddMember("path", rapidjson::Value(cookie.path.c_str(), a), a);
  out->AddMember("secure", cookie.secure, a);
  out->AddMember("httpOnly", cookie.httpOnly, a);
  if (!cookie.sameSite.empty())
    out->AddMember("sameSite", rapidjson::Value(Poco::toLower(cookie.sameSite).c_str(), a), a);
  if (cookie.expiry >= 0)
    out->AddMember("expiry", cookie.expiry, a);
}

void cookieToReply(const StoredCookie& cookie, rapidjson::Value* out,
                   rapidjson::Document::AllocatorType& a) {
  out->SetObject();
  out->AddMember("name", rapidjson::Value(cookie.name.c_str(), a), a);
  out->AddMember("value", rapidjson::Value(cookie.value.c_str(), a), a);
  std::string domain = cookie.hostOnly ? cookie.domain : "." + cookie.domain;
  out->AddMember("domain", rapidjson::Value(domain.c_str(), a), a);
  out->AddMember("path", rapidjson::Value(cookie.path.c_str(), a), a);
  out->AddMember("secure", cookie.secure, a);
  out->AddMember("httpOnly", cookie.httpOnly, a);
  out->AddMember("sameSite",
                 rapidjson::Value(cookie.sameSite.empty() ? "Lax" : cookie.sameSite.c_str(), a), a);
  if (cookie.expiry >= 0)
    out->AddMember("expiry", cookie.expiry, a);
}

} // namespace wdh
