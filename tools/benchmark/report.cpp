#include "report.h"

#include <algorithm>
#include <cstdio>

namespace bench {

void Report::info(const std::string& name, const std::string& value) {
  std::printf("  %-44s %s\n", (name + ":").c_str(), value.c_str());
  std::fflush(stdout);
  rows_.push_back({scenario_, name, value, "", 0});
}

void Report::latency(const std::string& name, const Summary& summary) {
  info(name + " (median/p90/p99)", formatSummary(summary));
}

void Report::check(const std::string& name, const std::string& value, const std::string& target,
                   bool met) {
  std::printf("  %-44s %-22s target %-14s %s\n", (name + ":").c_str(), value.c_str(),
              target.c_str(), met ? "OK" : "MISSED");
  std::fflush(stdout);
  rows_.push_back({scenario_, name, value, target, met ? 1 : -1});
}

void Report::failed(const std::string& why) {
  std::printf("  FAILED: %s\n", why.c_str());
  std::fflush(stdout);
  rows_.push_back({scenario_, "scenario failed", why, "runs", -1});
}

int Report::printTable() const {
  int missed = 0, met = 0;
  std::printf("\n== summary (targets)\n");
  std::printf("%-12s %-44s %-22s %-14s %s\n", "scenario", "figure", "value", "target", "verdict");
  for (const Row& row : rows_) {
    if (row.verdict == 0)
      continue;
    (row.verdict > 0 ? met : missed)++;
    std::printf("%-12s %-44s %-22s %-14s %s\n", row.scenario.c_str(), row.name.c_str(),
                row.value.c_str(), row.target.c_str(), row.verdict > 0 ? "OK" : "MISSED");
  }
  std::printf("\n%d target(s) met, %d MISSED\n", met, missed);
  std::fflush(stdout);
  return missed;
}

} // namespace bench
