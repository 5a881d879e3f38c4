#include "live/live_links.h"

#include <doctest/doctest.h>
#include <thread>

using namespace wdh;

TEST_CASE("live links: a secret opens its one session until revoked") {
  LiveLinks links;
  std::string secret;
  LiveLink link;
  REQUIRE(links.create("s1", true, std::chrono::seconds(60), &secret, &link).isOk());
  CHECK(secret.size() == 64);
  CHECK(link.sessionId == "s1");
  CHECK(link.control);
  LiveLink found;
  REQUIRE(links.find(secret, &found));
  CHECK(found.id == link.id);
  CHECK_FALSE(links.find(secret.substr(0, 63) + (secret.back() == '0' ? "1" : "0"), &found));
  CHECK_FALSE(links.find("", &found));
  CHECK(links.valid(link.id));
  CHECK(links.of("s1").size() == 1);
  CHECK(links.of("s2").empty());
  CHECK_FALSE(links.revoke("s2", link.id)); // another session's link is not its to revoke
  CHECK(links.revoke("s1", link.id));
  CHECK_FALSE(links.find(secret, &found));
  CHECK_FALSE(links.valid(link.id));
}

TEST_CASE("live links: lifetimes are bounded, links expire and die with their session") {
  LiveLinks links;
  std::string secret;
  LiveLink link;
  CHECK(links.create("s", false, std::chrono::seconds(0), &secret, &link).code() ==
        ErrorCode::InvalidArgument);
  CHECK(links.create("s", false, LiveLinks::kLongest + std::chrono::seconds(1), &secret, &link)
            .code() == ErrorCode::InvalidArgument);
  REQUIRE(links.create("s", false, std::chrono::seconds(1), &secret, &link).isOk());
  std::string other;
  LiveLink kept;
  REQUIRE(links.create("s", false, std::chrono::seconds(60), &other, &kept).isOk());
  CHECK(secret != other);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  LiveLink found;
  CHECK_FALSE(links.find(secret, &found));
  CHECK(links.find(other, &found));
  links.dropSession("s");
  CHECK_FALSE(links.find(other, &found));
}

TEST_CASE("live links: one session has a bounded number") {
  LiveLinks links;
  std::string secret;
  LiveLink link;
  for (std::size_t i = 0; i < LiveLinks::kPerSession; ++i)
    REQUIRE(links.create("s", false, std::chrono::seconds(60), &secret, &link).isOk());
  CHECK(links.create("s", false, std::chrono::seconds(60), &secret, &link).code() ==
        ErrorCode::UnknownError);
  CHECK(links.create("t", false, std::chrono::seconds(60), &secret, &link).isOk());
}
