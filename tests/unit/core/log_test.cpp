// The log: text lines cannot be forged by control characters in what clients and drivers send.
#include "core/log.h"

#include <cstdio>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <string>
#include <unistd.h>

using namespace wdh;

namespace {

// What `write` printed to stderr.
template <typename Write>
std::string stderrOf(Write write) {
  char path[] = "/tmp/wdhost-log-test-XXXXXX";
  int file = mkstemp(path);
  REQUIRE(file >= 0);
  std::fflush(stderr);
  int saved = dup(2);
  dup2(file, 2);
  write();
  std::fflush(stderr);
  dup2(saved, 2);
  close(saved);
  std::string out;
  char buffer[4096];
  lseek(file, 0, SEEK_SET);
  for (ssize_t got; (got = read(file, buffer, sizeof buffer)) > 0;)
    out.append(buffer, static_cast<std::size_t>(got));
  close(file);
  unlink(path);
  return out;
}

} // namespace

TEST_CASE("log: control characters in a message are escaped, one event is one line") {
  setLogFormat(LogFormat::Text);
  std::string line = stderrOf([] {
    log(LogLevel::Error, "http",
        "refused GET /x\r\n2026-01-01T00:00:00.000Z INFO [host] forged\t\x1b[31mred\x7f");
  });
  CHECK(line.find("\\r\\n2026-01-01") != std::string::npos);
  CHECK(line.find("\\t\\x1b[31mred\\x7f") != std::string::npos);
  CHECK(line.find('\n') == line.size() - 1); // one line
  CHECK(line.find('\r') == std::string::npos);
}
