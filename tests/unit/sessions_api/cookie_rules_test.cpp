// Which cookies a plain request sends and what a Set-Cookie stores, as RFC 6265 and the
// browsers have it.
#include "sessions_api/cookie_rules.h"

#include <doctest/doctest.h>

using namespace wdh;

namespace {

StoredCookie cookie(const char* name, const char* domain, const char* path = "/",
                    bool secure = false) {
  StoredCookie c;
  c.name = name;
  c.value = "v";
  c.domain = domain;
  c.path = path;
  c.secure = secure;
  return c;
}

// The cookie a "Set-Cookie: `line`" from `url` stores at time 1000, or false.
bool received(const char* line, const char* url, StoredCookie* out) {
  return parseSetCookie(line, Poco::URI(url), 1000, out);
}

} // namespace

TEST_CASE("a cookie goes to its domain and subdomains, under its path, secure ones over https") {
  Poco::URI page("http://shop.example.com/cart/items?id=1");
  CHECK(cookieApplies(cookie("a", "example.com"), page));
  CHECK(cookieApplies(cookie("a", "shop.example.com", "/cart"), page));
  CHECK(cookieApplies(cookie("a", "shop.example.com", "/cart/"), page));
  CHECK_FALSE(cookieApplies(cookie("a", "shop.example.com", "/car"), page));
  CHECK_FALSE(cookieApplies(cookie("a", "other.com"), page));
  CHECK_FALSE(cookieApplies(cookie("a", "ample.com"), page));
  CHECK_FALSE(cookieApplies(cookie("a", "example.com", "/", true), page));
  CHECK(
      cookieApplies(cookie("a", "example.com", "/", true), Poco::URI("https://shop.example.com/")));
  // An IP address matches only itself.
  CHECK_FALSE(cookieApplies(cookie("a", "0.0.1"), Poco::URI("http://127.0.0.1/")));
}

TEST_CASE("the Cookie header lists longer paths first") {
  std::vector<StoredCookie> jar = {cookie("root", "a.com"), cookie("deep", "a.com", "/x/y"),
                                   cookie("other", "b.com")};
  CHECK(cookieHeaderFor(jar, Poco::URI("http://a.com/x/y/z")) == "deep=v; root=v");
  CHECK(cookieHeaderFor(jar, Poco::URI("http://c.com/")).empty());
}

TEST_CASE("Set-Cookie: defaults, attributes, and the ones a browser refuses") {
  StoredCookie got;
  REQUIRE(received("id=7; HttpOnly; SameSite=Strict; Max-Age=60", "http://a.com/dir/page", &got));
  CHECK(got.domain == "a.com");
  CHECK(got.path == "/dir");
  CHECK(got.httpOnly);
  CHECK(got.sameSite == "Strict");
  CHECK(got.expiry == 1060);
  REQUIRE(received("id=7; Domain=.a.com; Path=/", "http://www.a.com/", &got));
  CHECK(got.domain == "a.com");
  CHECK(got.expiry == -1);
  CHECK_FALSE(received("id=7; Domain=b.com", "http://a.com/", &got));
  CHECK_FALSE(received("id=7; Secure", "http://a.com/", &got));
  CHECK(received("id=7; Secure", "https://a.com/", &got));
  CHECK_FALSE(received("no-pair", "http://a.com/", &got));
  CHECK_FALSE(received("id=7; Domain=com", "http://a.com/", &got)); // one label: a suffix
}

TEST_CASE("Set-Cookie: unknown attributes and unreadable dates are ignored, Max-Age wins") {
  StoredCookie got;
  REQUIRE(received("id=1; Path=/; Partitioned; Priority=High", "http://a.com/", &got));
  CHECK(got.name == "id");
  CHECK(got.value == "1");
  REQUIRE(received("id=1; Max-Age=soon; Expires=someday", "http://a.com/", &got));
  CHECK(got.expiry == -1);
  REQUIRE(received("id=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT", "http://a.com/", &got));
  CHECK(got.expiry == 0); // in the past: the cookie is deleted
  REQUIRE(
      received("id=1; Expires=Fri, 01 Jan 2100 00:00:00 GMT; Max-Age=10", "http://a.com/", &got));
  CHECK(got.expiry == 1010);
  REQUIRE(received("id=1; Expires=Fri, 01 Jan 2100 00:00:00 GMT", "http://a.com/", &got));
  CHECK(got.expiry == 4102444800);
  REQUIRE(received("id=1; Max-Age=0", "http://a.com/", &got));
  CHECK(got.expiry == 0);
}

TEST_CASE("a host-only cookie stays on its host, a Domain cookie reaches subdomains") {
  StoredCookie hostOnly;
  REQUIRE(received("h=1", "http://a.com/", &hostOnly));
  CHECK(hostOnly.hostOnly);
  CHECK(cookieApplies(hostOnly, Poco::URI("http://a.com/")));
  CHECK_FALSE(cookieApplies(hostOnly, Poco::URI("http://www.a.com/")));
  StoredCookie wide;
  REQUIRE(received("d=1; Domain=a.com", "http://a.com/", &wide));
  CHECK_FALSE(wide.hostOnly);
  CHECK(cookieApplies(wide, Poco::URI("http://www.a.com/")));
  rapidjson::Document written;
  cookieToBidi(wide, &written, written.GetAllocator());
  CHECK(std::string(written["domain"].GetString()) == ".a.com");
}

TEST_CASE("storing replaces the same cookie, and an expired one only removes it") {
  std::vector<StoredCookie> jar = {cookie("a", "a.com")};
  StoredCookie newer = cookie("a", "a.com");
  newer.value = "2";
  storeCookie(&jar, newer, 1000);
  REQUIRE(jar.size() == 1);
  CHECK(jar[0].value == "2");
  StoredCookie gone = cookie("a", "a.com");
  gone.expiry = 999;
  storeCookie(&jar, gone, 1000);
  CHECK(jar.empty());
}

TEST_CASE("BiDi cookies are read and written in storage's shape") {
  rapidjson::Document bidi;
  bidi.Parse(R"({"name":"s","value":{"type":"string","value":"x y"},"domain":".a.com",)"
             R"("path":"/p","secure":true,"httpOnly":false,"sameSite":"lax","expiry":1234})");
  StoredCookie read;
  REQUIRE(cookieFromBidi(bidi, &read));
  CHECK(read.domain == "a.com");
  CHECK_FALSE(read.hostOnly);
  CHECK(read.value == "x y");
  CHECK(read.sameSite == "Lax");
  CHECK(read.expiry == 1234);
  rapidjson::Document written;
  cookieToBidi(read, &written, written.GetAllocator());
  CHECK(std::string(written["value"]["value"].GetString()) == "x y");
  CHECK(std::string(written["sameSite"].GetString()) == "lax");
  CHECK(written["expiry"].GetInt64() == 1234);
  rapidjson::Document notOne;
  notOne.Parse(R"({"name":"s","value":"plain"})");
  CHECK_FALSE(cookieFromBidi(notOne, &read));
}
