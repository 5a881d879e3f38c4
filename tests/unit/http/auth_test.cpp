// The shared token: bearer or basic auth with the token as password; loopback hosts.
#include "http/auth.h"

#include <doctest/doctest.h>

using namespace wdh;

TEST_CASE("auth: the token as bearer or as the basic-auth password, nothing else") {
  CHECK(authorizationCarries("Bearer s3cret", "s3cret"));
  CHECK(authorizationCarries("Basic dXNlcjpzM2NyZXQ=", "s3cret")); // user:s3cret
  CHECK(authorizationCarries("Basic OnMzY3JldA==", "s3cret"));     // :s3cret
  CHECK_FALSE(authorizationCarries("", "s3cret"));
  CHECK_FALSE(authorizationCarries("Bearer s3cre", "s3cret"));
  CHECK_FALSE(authorizationCarries("Bearer s3cretX", "s3cret"));
  CHECK_FALSE(authorizationCarries("Basic czNjcmV0OnVzZXI=", "s3cret")); // s3cret:user
  CHECK_FALSE(authorizationCarries("Basic !!!", "s3cret"));
  CHECK_FALSE(authorizationCarries("s3cret", "s3cret"));
}

TEST_CASE("auth: loopback hosts") {
  for (const char* host : {"127.0.0.1", "127.9.8.7", "::1", "[::1]", "localhost"})
    CHECK_MESSAGE(isLoopbackHost(host), host);
  for (const char* host : {"0.0.0.0", "10.0.0.1", "::", "example.com", "128.0.0.1",
                           "127.attacker.example", "127.0.0.1.nip.io"})
    CHECK_MESSAGE(!isLoopbackHost(host), host);
}

TEST_CASE("auth: the client and operator tokens and the roles they grant") {
  Credentials both("client", "boss");
  CHECK(both.roleOf("Bearer client") == Role::Client);
  CHECK(both.roleOf("Bearer boss") == Role::Operator);
  CHECK(both.roleOf("") == Role::None);
  CHECK(both.roleOfToken("boss") == Role::Operator);
  CHECK(both.roleOfToken("") == Role::None);
  CHECK(both.needsLogin());
  Credentials one("only", "");
  CHECK(one.roleOf("Bearer only") == Role::Operator);
  CHECK(one.roleOf("Bearer other") == Role::None);
  Credentials operatorOnly("", "boss");
  CHECK(operatorOnly.roleOf("") == Role::Client);
  CHECK(operatorOnly.roleOf("Bearer boss") == Role::Operator);
  Credentials open("", "");
  CHECK(open.roleOf("") == Role::Operator);
  CHECK_FALSE(open.needsLogin());
}
