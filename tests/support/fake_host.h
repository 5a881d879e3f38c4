// The real wdhost binary with the "fake" fixture plugin, as the integration tests start it.
// Needs WDHOST_BINARY and WDHOST_FIXTURE_DIR (compile definitions of the integration tests).
#pragma once

#include "support/host_process.h"

#include <string>
#include <vector>

namespace wdhtest {

// A New Session body the fake plugin takes.
inline constexpr const char* kFakeNewSession =
    R"({"capabilities":{"alwaysMatch":{"browserName":"fake"}}})";

// wdhost with only the fake plugin, plus `extra` arguments.
inline HostProcess startFakeHost(const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin", "fake"};
  args.insert(args.end(), extra.begin(), extra.end());
  return HostProcess(WDHOST_BINARY, args);
}

} // namespace wdhtest
