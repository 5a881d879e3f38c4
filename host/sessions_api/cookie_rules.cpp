#include "sessions_api/cookie_rules.h"

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
  if (!domainMatches(host, Poco::toLower(cookie.domain)))
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

bool cookieFromSetCookie(const Poco::Net::HTTPCookie& set, const Poco::URI& url, std::int64_t now,
                         StoredCookie* out) {
  StoredCookie cookie;
  cookie.name = set.getName();
  cookie.value = set.getValue();
  if (cookie.name.empty())
    return false;
  std::string host = Poco::toLower(url.getHost());
  std::string domain = Poco::toLower(set.getDomain());
  if (!domain.empty() && domain[0] == '.')
    domain.erase(0, 1);
  if (domain.empty())
    domain = host;
  else if (!domainMatches(host, domain))
    return false;
  cookie.domain = domain;
  cookie.path =
      set.getPath().empty() || set.getPath()[0] != '/' ? defaultPath(url.getPath()) : set.getPath();
  cookie.secure = set.getSecure();
  if (cookie.secure && url.getScheme() != "https")
    return false;
  cookie.httpOnly = set.getHttpOnly();
  switch (set.getSameSite()) {
  case Poco::Net::HTTPCookie::SAME_SITE_STRICT:
    cookie.sameSite = "Strict";
    break;
  case Poco::Net::HTTPCookie::SAME_SITE_LAX:
    cookie.sameSite = "Lax";
    break;
  case Poco::Net::HTTPCookie::SAME_SITE_NONE:
    cookie.sameSite = "None";
    break;
  default:
    break;
  }
  if (set.getMaxAge() >= 0)
    cookie.expiry = now + set.getMaxAge();
  *out = std::move(cookie);
  return true;
}

void storeCookie(std::vector<StoredCookie>* jar, const StoredCookie& cookie, std::int64_t now) {
  jar->erase(std::remove_if(jar->begin(), jar->end(),
                            [&](const StoredCookie& kept) {
                              return kept.name == cookie.name && kept.domain == cookie.domain &&
                                     kept.path == cookie.path;
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
  cookie.domain = Poco::toLower(stringAt(bidi, "domain"));
  if (!cookie.domain.empty() && cookie.domain[0] == '.')
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
  out->AddMember("domain", rapidjson::Value(cookie.domain.c_str(), a), a);
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
  out->AddMember("domain", rapidjson::Value(cookie.domain.c_str(), a), a);
  out->AddMember("path", rapidjson::Value(cookie.path.c_str(), a), a);
  out->AddMember("secure", cookie.secure, a);
  out->AddMember("httpOnly", cookie.httpOnly, a);
  out->AddMember("sameSite",
                 rapidjson::Value(cookie.sameSite.empty() ? "Lax" : cookie.sameSite.c_str(), a), a);
  if (cookie.expiry >= 0)
    out->AddMember("expiry", cookie.expiry, a);
}

} // namespace wdh
