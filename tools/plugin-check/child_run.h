// Runs one check in a child process (this program again, with --run-one), so a plugin that
// crashes or hangs is reported instead of ending the checker.
#pragma once

#include "checks.h"

#include <string>
#include <vector>

namespace check {

// What the child reported, or how it died.
struct ChildResult {
  Outcome outcome;    // from the child's RESULT line, or a failure describing the death
  double ms = 0;      // wall time of the child
  std::string output; // everything else the child printed (plugin and host logs)
};

// Runs `self` with `args` (its own process group), killing the group after `timeoutSeconds`.
ChildResult runChild(const std::string& self, const std::vector<std::string>& args,
                     int timeoutSeconds);

// In the child: prints the RESULT line the parent reads.
void printResult(const Outcome& outcome);

} // namespace check
