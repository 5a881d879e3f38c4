// The wdhost command line, as an operator meets it.
#include "support/host_process.h"
#include "support/proc_files.h"

#include <cstdio>
#include <cstdlib>
#include <doctest/doctest.h>
#include <fstream>
#include <iterator>
#include <unistd.h>

using namespace wdhtest;

TEST_CASE("cli: --help and --version print and exit 0") {
  CommandResult help = runCommand({WDHOST_BINARY, "--help"});
  CHECK(help.exitCode == 0);
  CHECK(help.output.find("--plugin-dir") != std::string::npos);
  CHECK(help.output.find("--list-plugins") != std::string::npos);
  CommandResult version = runCommand({WDHOST_BINARY, "--version"});
  CHECK(version.exitCode == 0);
  CHECK(version.output.find("wdhost 0.1.0") != std::string::npos);
}

TEST_CASE("cli: an unknown option or a bad value says what is wrong and exits 2") {
  CommandResult unknown = runCommand({WDHOST_BINARY, "--colour", "red"});
  CHECK(unknown.exitCode == 2);
  CHECK(unknown.output.find("colour") != std::string::npos);
  CommandResult badPort = runCommand({WDHOST_BINARY, "--port", "70000"});
  CHECK(badPort.exitCode == 2);
  CHECK(badPort.output.find("--port") != std::string::npos);
  CommandResult notNumber = runCommand({WDHOST_BINARY, "--port", "abc"});
  CHECK(notNumber.exitCode == 2);
  CommandResult badLevel = runCommand({WDHOST_BINARY, "--log-level", "loud"});
  CHECK(badLevel.exitCode == 2);
  CommandResult badOption = runCommand({WDHOST_BINARY, "--plugin-option", "chrome"});
  CHECK(badOption.exitCode == 2);
  CHECK(badOption.output.find("NAME.KEY=VALUE") != std::string::npos);
  CommandResult badKeepAlive = runCommand({WDHOST_BINARY, "--keep-alive-timeout", "0"});
  CHECK(badKeepAlive.exitCode == 2);
  CHECK(badKeepAlive.output.find("--keep-alive-timeout") != std::string::npos);
  CommandResult badPassEnv = runCommand({WDHOST_BINARY, "--pass-env", "A=B"});
  CHECK(badPassEnv.exitCode == 2);
  CHECK(badPassEnv.output.find("--pass-env 'A=B'") != std::string::npos);
}

TEST_CASE("cli: --allow-target takes private and loopback networks, never link-local") {
  for (const char* never : {"169.254.169.254", "fe80::/10", "0.0.0.0/0", "100.100.100.200:80"}) {
    INFO(never);
    CommandResult refused = runCommand({WDHOST_BINARY, "--allow-target", never});
    CHECK(refused.exitCode == 2);
    CHECK(refused.output.find("--allow-target '" + std::string(never) + "'") != std::string::npos);
    CHECK(refused.output.find("never reached") != std::string::npos);
  }
  CommandResult malformed = runCommand({WDHOST_BINARY, "--allow-target", "localhost:8080"});
  CHECK(malformed.exitCode == 2);
  CHECK(malformed.output.find("expected an IP address") != std::string::npos);
  // Loopback is said loudly at start; a private network plainly.
  HostProcess host(WDHOST_BINARY,
                   {"--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin", "fake", "--allow-target",
                    "127.0.0.1:8080", "--allow-target", "10.1.2.0/24", "--allow-private-targets"});
  CHECK(eventually(
      [&] {
        std::string log = host.log();
        return log.find("THE SESSIONS API MAY REACH THIS MACHINE at 127.0.0.1:8080") !=
                   std::string::npos &&
               log.find("the sessions API may reach 10.1.2.0/24") != std::string::npos &&
               log.find("--allow-private-targets") != std::string::npos;
      },
      std::chrono::seconds(5)));
}

TEST_CASE("cli: --list-plugins names each plugin and why any was skipped") {
  CommandResult list =
      runCommand({WDHOST_BINARY, "--plugin-dir", WDHOST_FIXTURE_DIR, "--list-plugins"});
  CHECK(list.exitCode == 0);
  CHECK(list.output.find("fake 1.0.0 (org.wdhost.test.fake, ABI 1.") != std::string::npos);
  CHECK(list.output.find("1.2.3") != std::string::npos);
  CHECK(list.output.find("skipped") != std::string::npos);
  CHECK(list.output.find("wrong_major.so") != std::string::npos);
  CHECK(list.output.find("describe-fails") != std::string::npos);
}

TEST_CASE("cli: a --plugin that is not there fails at start with its name") {
  CommandResult missing = runCommand(
      {WDHOST_BINARY, "--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin", "safari", "--port", "0"});
  CHECK(missing.exitCode == 1);
  CHECK(missing.output.find("safari") != std::string::npos);
}

TEST_CASE("cli: the config file sets the same options") {
  char path[] = "/tmp/wdhost-config-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  std::string text = std::string("plugin-dir = ") + WDHOST_FIXTURE_DIR + "\nplugin = fake\n";
  REQUIRE(write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  close(fd);
  CommandResult list = runCommand({WDHOST_BINARY, "--config", path, "--list-plugins"});
  std::remove(path);
  CHECK(list.exitCode == 0);
  CHECK(list.output.find("fake 1.0.0") != std::string::npos);
  CHECK(list.output.find("thrower 1.0.0") == std::string::npos);
}

TEST_CASE("cli: SIGTERM stops the host with exit code 0") {
  HostProcess host(WDHOST_BINARY, {"--plugin-dir", WDHOST_FIXTURE_DIR});
  CHECK(httpRequest(host.port(), "GET", "/status").status == 200);
  CHECK(host.stop() == 0);
}

namespace {

// The NUL-separated contents of /proc/PID/<what>, as one string.
std::string procText(int pid, const char* what) {
  std::string text;
  readProcFile("/proc/" + std::to_string(pid) + "/" + what, &text); // "" once it is gone
  return text;
}

} // namespace

TEST_CASE("cli: tokens from the environment and the command line do not stay readable") {
  setenv("WDHOST_AUTH_TOKEN", "env-secret-4d1f", 1);
  HostProcess fromEnv(WDHOST_BINARY, {"--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin", "fake",
                                      "--operator-token", "argv-secret-9c2e"});
  unsetenv("WDHOST_AUTH_TOKEN");
  // Both tokens are in force...
  CHECK(httpRequest(fromEnv.port(), "GET", "/status").status == 401);
  std::string asClient = "GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                         "env-secret-4d1f\r\nConnection: close\r\n\r\n";
  CHECK(rawExchange(fromEnv.port(), asClient).rfind("HTTP/1.1 200", 0) == 0);
  std::string asOperator = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                           "argv-secret-9c2e\r\nConnection: close\r\n\r\n";
  CHECK(rawExchange(fromEnv.port(), asOperator).rfind("HTTP/1.1 200", 0) == 0);
  // ...and neither shows in the host's environment or command line (what ps reads).
  CHECK(procText(fromEnv.pid(), "environ").find("env-secret-4d1f") == std::string::npos);
  CHECK(procText(fromEnv.pid(), "cmdline").find("argv-secret-9c2e") == std::string::npos);
  CHECK(fromEnv.stop() == 0);
}

TEST_CASE("cli: --auth-token-file reads the token from a file, which must not be empty") {
  char path[] = "/tmp/wdhost-token-test-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  std::string line = "file-secret-77aa\n";
  REQUIRE(write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()));
  close(fd);
  {
    HostProcess host(WDHOST_BINARY, {"--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin", "fake",
                                     "--auth-token-file", path});
    CHECK(httpRequest(host.port(), "GET", "/status").status == 401);
    std::string asClient = "GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                           "file-secret-77aa\r\nConnection: close\r\n\r\n";
    CHECK(rawExchange(host.port(), asClient).rfind("HTTP/1.1 200", 0) == 0);
    CHECK(host.stop() == 0);
  }
  std::ofstream(path, std::ios::trunc) << "\n";
  CommandResult empty = runCommand({WDHOST_BINARY, "--auth-token-file", path, "--version"});
  CHECK(empty.exitCode == 2);
  CHECK(empty.output.find("--auth-token-file") != std::string::npos);
  unlink(path);
}
