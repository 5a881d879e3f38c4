// Latency samples and their percentiles.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace bench {

// Latencies in microseconds.
using Samples = std::vector<double>;

// Median, p90 and p99 of a set of samples.
struct Summary {
  double median = 0;     // 50th percentile, µs
  double p90 = 0;        // 90th percentile, µs
  double p99 = 0;        // 99th percentile, µs
  std::size_t count = 0; // how many samples
};

// The percentiles of `samples` (nearest-rank); all zero when empty.
Summary summarize(Samples samples);

// "m/p90/p99 µs" with a precision that suits the magnitude.
std::string formatSummary(const Summary& s);

// A number of microseconds as text ("812 µs", "2.41 ms", "1.32 s").
std::string formatMicros(double micros);

// A ratio as text ("1.02x").
std::string formatRatio(double ratio);

} // namespace bench
