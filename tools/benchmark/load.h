// Load patterns: interleaved single-connection pairs and timed multi-connection load.
#pragma once

#include "stats.h"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace bench {

// One request to time; throws on failure.
using Call = std::function<void()>;

// Calls a then b (then b then a in the next round, so neither always goes first) `warmup`
// rounds untimed, then `rounds` rounds timed; each call's latency goes to *sa or *sb.
void interleave(int warmup, int rounds, const Call& a, const Call& b, Samples* sa, Samples* sb);

// The same for any number of calls: each round calls every one, starting one further along
// than the round before; calls[i]'s latencies go to *samples[i].
void interleaveAll(int warmup, int rounds, const std::vector<Call>& calls,
                   const std::vector<Samples*>& samples);

// What one timed load produced.
struct LoadResult {
  double requestsPerSecond = 0; // completed requests per second of wall time
  Samples latencies;            // each request's latency, µs
  long errors = 0;              // failed requests
};

// The path request number `n` of connection `connection` asks for.
using PathFor = std::function<std::string(int connection, long n)>;

// `connections` threads, each on its own keep-alive connection to 127.0.0.1:port, send GET
// pathFor(...) back to back for `duration` after all have connected.
LoadResult runLoad(int port, const PathFor& pathFor, int connections,
                   std::chrono::milliseconds duration);

// Alternates runLoad on A and on B, `segments` times each, and merges each side's results.
void interleavedLoad(int portA, const PathFor& pathA, int portB, const PathFor& pathB,
                     int connections, std::chrono::milliseconds segment, int segments,
                     LoadResult* a, LoadResult* b);

// Microseconds since an arbitrary start, from the monotonic clock.
double nowMicros();

} // namespace bench
