// What the benchmark found: every figure printed as it is measured, and a final table.
#pragma once

#include "stats.h"

#include <string>
#include <vector>

namespace bench {

// One line of the final table.
struct Row {
  std::string scenario; // relay, status, new-session, stub, scale
  std::string name;     // what was measured
  std::string value;    // the figure
  std::string target;   // the target, "" for an informative figure
  int verdict = 0;      // 0 informative, 1 met, -1 missed
};

// The collected figures.
class Report {
public:
  // Sets the scenario that later rows belong to.
  void scenario(std::string name) { scenario_ = std::move(name); }
  // An informative figure (a latency summary, a count), printed now.
  void info(const std::string& name, const std::string& value);
  // A latency summary, printed as `name: median/p90/p99`.
  void latency(const std::string& name, const Summary& summary);
  // A figure with a target; prints it with OK or MISSED.
  void check(const std::string& name, const std::string& value, const std::string& target,
             bool met);
  // A scenario that could not run, with the reason (counted as missed).
  void failed(const std::string& why);
  // Prints the final table; returns how many targets were missed.
  int printTable() const;

private:
  std::string scenario_;
  std::vector<Row> rows_;
};

} // namespace bench
