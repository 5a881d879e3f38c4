#include "stats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace bench {
namespace {

double rank(const Samples& sorted, double fraction) {
  auto index = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, index == 0 ? 0 : index - 1)];
}

// `value` with `decimals` decimals and a unit.
std::string print(double value, int decimals, const char* unit) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f %s", decimals, value, unit);
  return text;
}

} // namespace

Summary summarize(Samples samples) {
  Summary s;
  s.count = samples.size();
  if (samples.empty())
    return s;
  std::sort(samples.begin(), samples.end());
  s.median = rank(samples, 0.5);
  s.p90 = rank(samples, 0.9);
  s.p99 = rank(samples, 0.99);
  return s;
}

std::string formatMicros(double micros) {
  if (micros >= 1e6)
    return print(micros / 1e6, 2, "s");
  if (micros >= 1e4)
    return print(micros / 1e3, 1, "ms");
  if (micros >= 1e3)
    return print(micros / 1e3, 2, "ms");
  return print(micros, 1, "us");
}

std::string formatSummary(const Summary& s) {
  return formatMicros(s.median) + " / " + formatMicros(s.p90) + " / " + formatMicros(s.p99) +
         " (n=" + std::to_string(s.count) + ")";
}

std::string formatRatio(double ratio) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3fx", ratio);
  return text;
}

} // namespace bench
