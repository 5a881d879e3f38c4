#include "checks.h"

namespace check {

const std::vector<CheckInfo>& allChecks() {
  static const std::vector<CheckInfo> checks = {
      {"exports", &checkExports, 30},
      {"handshake", &checkHandshake, 30},
      {"descriptor", &checkDescriptor, 30},
      {"load-cheap", &checkLoadCheap, 60},
      {"init-deinit", &checkInitDeinit, 120},
      {"negotiate", &checkNegotiate, 60},
      {"error-contract", &checkErrorContract, 60},
      {"concurrent-negotiate", &checkConcurrentNegotiate, 60},
      {"extensions", &checkExtensions, 60},
      {"call-context", &checkCallContext, 180},
      {"isolated", &checkIsolated, 180},
      {"launch-teardown", &checkLaunchTeardown, 180},
      {"failed-launch", &checkFailedLaunch, 180},
      {"concurrent-launch", &checkConcurrentLaunch, 240},
      {"unload", &checkUnload, 180},
  };
  return checks;
}

} // namespace check
