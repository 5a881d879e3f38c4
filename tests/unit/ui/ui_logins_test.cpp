// The status page's logins: one random cookie per login, its role, expiry and logout.
#include "ui/ui_logins.h"

#include <chrono>
#include <doctest/doctest.h>
#include <thread>

using namespace wdh;

TEST_CASE("ui logins: each login has its own cookie, CSRF token and role, until logout") {
  UiLogins logins;
  UiLogins::Login first, second, found;
  std::string a = logins.begin(Role::Client, &first);
  std::string b = logins.begin(Role::Operator, &second);
  CHECK(a.size() == 64);
  CHECK(a != b);
  CHECK(first.csrf != second.csrf);
  REQUIRE(logins.find(a, &found));
  CHECK(found.role == Role::Client);
  CHECK(found.csrf == first.csrf);
  REQUIRE(logins.find(b, &found));
  CHECK(found.role == Role::Operator);
  CHECK_FALSE(logins.find("", &found));
  CHECK_FALSE(logins.find(a.substr(1), &found));
  logins.end(a);
  CHECK_FALSE(logins.find(a, &found));
  CHECK(logins.find(b, &found));
}

TEST_CASE("ui logins: logins expire, and the oldest goes when there are too many") {
  UiLogins shortLived(std::chrono::seconds(0));
  UiLogins::Login login;
  std::string cookie = shortLived.begin(Role::Operator, &login);
  CHECK_FALSE(shortLived.find(cookie, &login));
  UiLogins few(std::chrono::hours(1), 2);
  std::string first = few.begin(Role::Client, &login);
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  std::string second = few.begin(Role::Client, &login);
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  std::string third = few.begin(Role::Client, &login);
  CHECK_FALSE(few.find(first, &login));
  CHECK(few.find(second, &login));
  CHECK(few.find(third, &login));
}
