#include "recording/session_log.h"
#include "support/scratch_dir.h"

#include <doctest/doctest.h>
#include <fstream>
#include <sstream>
#include <unistd.h>
#include <vector>

using namespace wdh;

namespace {

std::string contents(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace

TEST_CASE("session log: a line per line, stamped, with its source, control characters shown") {
  wdhtest::ScratchDir dir("session-log");
  std::unique_ptr<SessionLog> log;
  REQUIRE(SessionLog::create(dir.path("a.log"), &log).isOk());
  log->write("host", "POST /url 200 (3 ms)");
  log->write("driver", "first\r\nsecond\n\n");
  log->write("console", "log: a\x1b[31mred\x07 text\twith a tab");
  log->close();
  log->write("host", "after close: dropped");
  std::string text = contents(dir.path("a.log"));
  std::istringstream lines(text);
  std::string line;
  std::vector<std::string> seen;
  while (std::getline(lines, line))
    seen.push_back(line);
  REQUIRE(seen.size() == 4);
  // "2026-12-07T12:00:00.123Z host ..."
  CHECK(seen[0].size() > 25);
  CHECK(seen[0][10] == 'T');
  CHECK(seen[0][23] == 'Z');
  CHECK(seen[0].substr(25) == "host POST /url 200 (3 ms)");
  CHECK(seen[1].substr(25) == "driver first");
  CHECK(seen[2].substr(25) == "driver second");
  CHECK(seen[3].substr(25) == "console log: a\\x1b[31mred\\x07 text\twith a tab");
  CHECK(log->size() == text.size());
}

TEST_CASE("session log: never an existing file, never through a link") {
  wdhtest::ScratchDir dir("session-log");
  dir.write("taken.log", "someone's");
  std::unique_ptr<SessionLog> log;
  Status status = SessionLog::create(dir.path("taken.log"), &log);
  CHECK(status.code() == ErrorCode::UnknownError);
  CHECK(status.message().find("taken.log") != std::string::npos);
  CHECK(contents(dir.path("taken.log")) == "someone's");
  REQUIRE(::symlink(dir.path("elsewhere").c_str(), dir.path("link.log").c_str()) == 0);
  CHECK_FALSE(SessionLog::create(dir.path("link.log"), &log).isOk());
  CHECK(::access(dir.path("elsewhere").c_str(), F_OK) != 0);
}
