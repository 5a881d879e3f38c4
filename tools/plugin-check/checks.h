// The checks wdhost-plugin-check runs, each alone in a child process.
#pragma once

#include <string>
#include <vector>

namespace check {

// What one check concluded.
struct Outcome {
  enum Kind { Pass, Fail, Skip } kind = Pass;
  std::string detail; // why it failed or was skipped; a note when it passed

  // A pass, with an optional note.
  static Outcome pass(std::string note = {}) { return {Pass, std::move(note)}; }
  // A failure and its reason.
  static Outcome fail(std::string reason) { return {Fail, std::move(reason)}; }
  // Not run, and why.
  static Outcome skip(std::string reason) { return {Skip, std::move(reason)}; }
};

// What every check gets.
struct Context {
  std::string path;                           // the plugin library
  std::string guardPath;                      // wdhost-guard, for the process service
  std::string helperPath;                     // wdhost-plugin-host, for the isolated check
  std::string config = "{\"headless\":true}"; // the init() config, as the host sends it
  bool skipLaunch = false;                    // do not start the plugin's browser
};

// One check: its name, its function, and how long its child process may take.
struct CheckInfo {
  const char* name;
  Outcome (*run)(const Context&);
  int timeoutSeconds;
};

// Every check, in the order they run.
const std::vector<CheckInfo>& allChecks();

// The checks, by group (one file each).
Outcome checkExports(const Context& context);
Outcome checkHandshake(const Context& context);
Outcome checkDescriptor(const Context& context);
Outcome checkLoadCheap(const Context& context);
Outcome checkInitDeinit(const Context& context);
Outcome checkNegotiate(const Context& context);
Outcome checkErrorContract(const Context& context);
Outcome checkConcurrentNegotiate(const Context& context);
Outcome checkUnload(const Context& context);
Outcome checkLaunchTeardown(const Context& context);
Outcome checkFailedLaunch(const Context& context);
Outcome checkConcurrentLaunch(const Context& context);
Outcome checkExtensions(const Context& context);
Outcome checkCallContext(const Context& context);
Outcome checkIsolated(const Context& context);

} // namespace check
