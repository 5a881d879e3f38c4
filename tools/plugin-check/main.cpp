// wdhost-plugin-check: loads a wdhost plugin the way the host does and reports, one line per
// check, whether it keeps the plugin contract. Exit code 0 only when every check passes.
#include "checks.h"
#include "child_run.h"
#include "core/log.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

constexpr const char* kUsage =
    "usage: wdhost-plugin-check [options] PLUGIN.so\n"
    "  --skip-launch      do not start the plugin's browser (CI machines without it)\n"
    "  --only CHECK       run only this check (repeatable)\n"
    "  --config JSON      the init() config (default {\"headless\":true}, as wdhost sends)\n"
    "  --guard PATH       wdhost-guard (default: next to this program)\n"
    "  --helper PATH      wdhost-plugin-host, to check the plugin isolated too (default: next\n"
    "                     to this program)\n"
    "  --verbose          also print what each check's process logged\n"
    "  --list             print the check names and exit\n"
    "Each check runs in its own process. Output: 'PASS name (ms)' or 'FAIL name: reason'\n"
    "per check, then 'N passed, M failed'. Exit code 0 only when every check passed.\n";

std::string selfPath() {
  char buffer[4096];
  ssize_t n = readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
}

std::string dirOf(const std::string& path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

// A fresh private directory under $TMPDIR (or /tmp) for one check's files, or "".
std::string makeTempRoot() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && tmp[0] == '/' ? tmp : "/tmp") + "/wdhost-plugin-check-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  return mkdtemp(buffer.data()) == nullptr ? std::string() : std::string(buffer.data());
}

const check::CheckInfo* findCheck(const std::string& name) {
  for (const check::CheckInfo& info : check::allChecks())
    if (name == info.name)
      return &info;
  return nullptr;
}

// The child side: one check, its RESULT line, exit 0.
int runOne(const std::string& name, const check::Context& context) {
  wdh::setLogLevel(wdh::LogLevel::Warn);
  const check::CheckInfo* info = findCheck(name);
  check::Outcome outcome = check::Outcome::fail("no check called " + name);
  if (info != nullptr) {
    try {
      outcome = info->run(context);
    } catch (const std::exception& e) {
      outcome = check::Outcome::fail(std::string("the checker failed: ") + e.what());
    }
  }
  check::printResult(outcome);
  return 0;
}

} // namespace

int main(int argc, char* argv[]) {
  check::Context context;
  std::vector<std::string> only;
  std::string runOneName;
  bool verbose = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "wdhost-plugin-check: " << arg << " needs a value\n" << kUsage;
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (arg == "--list") {
      for (const check::CheckInfo& info : check::allChecks())
        std::cout << info.name << "\n";
      return 0;
    } else if (arg == "--skip-launch") {
      context.skipLaunch = true;
    } else if (arg == "--verbose") {
      verbose = true;
    } else if (arg == "--only") {
      only.push_back(value());
    } else if (arg == "--config") {
      context.config = value();
    } else if (arg == "--guard") {
      context.guardPath = value();
    } else if (arg == "--helper") {
      context.helperPath = value();
    } else if (arg == "--temp-root") {
      // The check's files (and the plugin's temp files) go there; the parent removes it.
      setenv("TMPDIR", value().c_str(), 1);
    } else if (arg == "--run-one") {
      runOneName = value();
    } else if (!arg.empty() && arg[0] == '-') {
      std::cerr << "wdhost-plugin-check: unknown option " << arg << "\n" << kUsage;
      return 2;
    } else if (context.path.empty()) {
      context.path = arg;
    } else {
      std::cerr << "wdhost-plugin-check: one plugin at a time\n" << kUsage;
      return 2;
    }
  }
  if (context.path.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  if (context.path.find('/') == std::string::npos)
    context.path = "./" + context.path; // dlopen would search the library path otherwise
  const std::string self = selfPath();
  if (context.guardPath.empty())
    context.guardPath = dirOf(self) + "/wdhost-guard";
  if (context.helperPath.empty())
    context.helperPath = dirOf(self) + "/wdhost-plugin-host";
  if (!runOneName.empty())
    return runOne(runOneName, context);
  for (const std::string& name : only)
    if (findCheck(name) == nullptr) {
      std::cerr << "wdhost-plugin-check: no check called " << name << " (see --list)\n";
      return 2;
    }
  if (access(context.path.c_str(), R_OK) != 0) {
    std::cerr << "wdhost-plugin-check: cannot read " << context.path << "\n";
    return 2;
  }

  int passed = 0, failed = 0, skipped = 0;
  for (const check::CheckInfo& info : check::allChecks()) {
    if (!only.empty() && std::find(only.begin(), only.end(), std::string(info.name)) == only.end())
      continue;
    std::vector<std::string> args = {"--run-one", info.name,          "--guard",  context.guardPath,
                                     "--helper",  context.helperPath, "--config", context.config};
    if (context.skipLaunch)
      args.push_back("--skip-launch");
    std::string tempRoot = makeTempRoot();
    if (!tempRoot.empty()) {
      args.push_back("--temp-root");
      args.push_back(tempRoot);
    }
    args.push_back(context.path);
    check::ChildResult result = check::runChild(self, args, info.timeoutSeconds);
    std::error_code ignored;
    if (!tempRoot.empty())
      std::filesystem::remove_all(tempRoot, ignored); // also what a crashed check left
    const check::Outcome& outcome = result.outcome;
    if (outcome.kind == check::Outcome::Pass) {
      ++passed;
      std::cout << "PASS " << info.name << " (" << static_cast<long>(result.ms) << " ms)"
                << (outcome.detail.empty() ? "" : ": " + outcome.detail) << "\n";
    } else if (outcome.kind == check::Outcome::Skip) {
      ++skipped;
      std::cout << "SKIP " << info.name << ": " << outcome.detail << "\n";
    } else {
      ++failed;
      std::cout << "FAIL " << info.name << ": " << outcome.detail << "\n";
    }
    if (verbose && !result.output.empty())
      std::cout << result.output << (result.output.back() == '\n' ? "" : "\n");
    std::cout << std::flush;
  }
  std::cout << passed << " passed, " << failed << " failed"
            << (skipped > 0 ? ", " + std::to_string(skipped) + " skipped" : "") << "\n";
  return failed == 0 && passed > 0 ? 0 : 1;
}
