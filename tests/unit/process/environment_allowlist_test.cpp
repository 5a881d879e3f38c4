// What children inherit of the host's environment: the default allowlist, the operator's
// --pass-env additions, and mergeEnvironment() dropping everything else (secrets included)
// while the plugin's own entries always go through.
#include "process/environment_allowlist.h"
#include "process/spawn_support.h"

#include <algorithm>
#include <cstdlib>
#include <doctest/doctest.h>
#include <string>
#include <vector>

using namespace wdh;

namespace {

bool has(const std::vector<std::string>& env, const std::string& entry) {
  return std::find(env.begin(), env.end(), entry) != env.end();
}

bool hasName(const std::vector<std::string>& env, const std::string& name) {
  return std::any_of(env.begin(), env.end(), [&](const std::string& entry) {
    return entry.compare(0, name.size() + 1, name + "=") == 0;
  });
}

} // namespace

TEST_CASE("environment allowlist: the defaults, prefixes and suffixes") {
  EnvironmentAllowlist allowed;
  for (const char* name : {"PATH",
                           "HOME",
                           "USER",
                           "LOGNAME",
                           "LANG",
                           "LANGUAGE",
                           "LC_ALL",
                           "LC_CTYPE",
                           "TZ",
                           "DISPLAY",
                           "WAYLAND_DISPLAY",
                           "XAUTHORITY",
                           "XDG_RUNTIME_DIR",
                           "DBUS_SESSION_BUS_ADDRESS",
                           "TMPDIR",
                           "SSL_CERT_FILE",
                           "SSL_CERT_DIR",
                           "ASAN_OPTIONS",
                           "UBSAN_OPTIONS",
                           "TSAN_OPTIONS",
                           "LSAN_OPTIONS"}) {
    CAPTURE(name);
    CHECK(allowed.allows(name));
  }
  for (const char* name : {"AWS_SECRET_ACCESS_KEY", "WDHOST_AUTH_TOKEN", "LD_PRELOAD",
                           "LD_LIBRARY_PATH", "PATHX", "XPATH", "GITHUB_TOKEN", "SSH_AUTH_SOCK"}) {
    CAPTURE(name);
    CHECK_FALSE(allowed.allows(name));
  }
  EnvironmentAllowlist extended({"MYAPP_*", "HTTP_PROXY"});
  CHECK(extended.allows("MYAPP_MODE"));
  CHECK(extended.allows("HTTP_PROXY"));
  CHECK_FALSE(extended.allows("HTTPS_PROXY"));
  CHECK_FALSE(extended.allows("MYAPP"));
}

TEST_CASE("environment allowlist: what --pass-env accepts") {
  CHECK(isPassEnvPattern("HTTP_PROXY"));
  CHECK(isPassEnvPattern("MYAPP_*"));
  CHECK(isPassEnvPattern("lower_case"));
  for (const char* bad : {"", "*", "A=B", "A B", "*_SECRET", "1ABC", "A*B", "A-B"}) {
    CAPTURE(bad);
    CHECK_FALSE(isPassEnvPattern(bad));
  }
}

TEST_CASE("environment allowlist: children get the allowed variables and the plugin's own") {
  ::setenv("WDHOST_TEST_SECRET", "s3cr3t", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "aws-s3cr3t", 1);
  ::setenv("LC_TIME", "C", 1);
  std::vector<std::string> env;
  REQUIRE(
      mergeEnvironment(EnvironmentAllowlist(), {"MOZ_X=1", "TMPDIR=/session/tmp"}, &env).isOk());
  CHECK_FALSE(hasName(env, "WDHOST_TEST_SECRET"));
  CHECK_FALSE(hasName(env, "AWS_SECRET_ACCESS_KEY"));
  CHECK(has(env, "LC_TIME=C"));
  CHECK(has(env, "MOZ_X=1"));
  CHECK(has(env, "TMPDIR=/session/tmp"));
  if (std::getenv("PATH") != nullptr)
    CHECK(hasName(env, "PATH"));
  // The operator may pass more.
  REQUIRE(mergeEnvironment(EnvironmentAllowlist({"WDHOST_TEST_*"}), {}, &env).isOk());
  CHECK(has(env, "WDHOST_TEST_SECRET=s3cr3t"));
  CHECK_FALSE(hasName(env, "AWS_SECRET_ACCESS_KEY"));
  CHECK_FALSE(mergeEnvironment(EnvironmentAllowlist(), {"NOEQUALS"}, &env).isOk());
  ::unsetenv("WDHOST_TEST_SECRET");
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  ::unsetenv("LC_TIME");
}
