#include "load.h"

#include "http_client.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace bench {

double nowMicros() {
  using namespace std::chrono;
  return static_cast<double>(
             duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count()) /
         1000.0;
}

void interleave(int warmup, int rounds, const Call& a, const Call& b, Samples* sa, Samples* sb) {
  interleaveAll(warmup, rounds, {a, b}, {sa, sb});
}

void interleaveAll(int warmup, int rounds, const std::vector<Call>& calls,
                   const std::vector<Samples*>& samples) {
  const std::size_t count = calls.size();
  for (Samples* s : samples)
    s->reserve(s->size() + static_cast<std::size_t>(rounds));
  for (int round = -warmup; round < rounds; ++round) {
    const auto first = static_cast<std::size_t>(round + warmup) % count;
    for (std::size_t step = 0; step < count; ++step) {
      const std::size_t which = (first + step) % count;
      double start = nowMicros();
      calls[which]();
      double took = nowMicros() - start;
      if (round >= 0)
        samples[which]->push_back(took);
    }
  }
}

LoadResult runLoad(int port, const PathFor& pathFor, int connections,
                   std::chrono::milliseconds duration) {
  std::vector<Samples> perThread(static_cast<std::size_t>(connections));
  std::vector<long> errors(static_cast<std::size_t>(connections), 0);
  std::mutex mutex;
  std::condition_variable cv;
  int connected = 0;
  bool go = false;
  double deadline = 0, started = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < connections; ++t) {
    threads.emplace_back([&, t] {
      HttpConnection connection(port, std::chrono::seconds(10));
      std::string answer;
      auto& samples = perThread[static_cast<std::size_t>(t)];
      samples.reserve(65536);
      try {
        connection.request("GET", pathFor(t, -1), {}, &answer); // connects and warms up
      } catch (const std::runtime_error&) {
        ++errors[static_cast<std::size_t>(t)];
      }
      {
        std::unique_lock<std::mutex> lock(mutex);
        ++connected;
        cv.notify_all();
        cv.wait_for(lock, std::chrono::seconds(30), [&] { return go; });
      }
      for (long n = 0;; ++n) {
        std::string path = pathFor(t, n);
        double start = nowMicros();
        if (start >= deadline)
          break;
        try {
          int status = connection.request("GET", path, {}, &answer);
          if (status != 200)
            ++errors[static_cast<std::size_t>(t)];
        } catch (const std::runtime_error&) {
          ++errors[static_cast<std::size_t>(t)];
        }
        double end = nowMicros();
        if (end <= deadline)
          samples.push_back(end - start);
      }
    });
  }
  {
    std::unique_lock<std::mutex> lock(mutex);
    cv.wait_for(lock, std::chrono::seconds(30), [&] { return connected == connections; });
    started = nowMicros();
    deadline = started + static_cast<double>(duration.count()) * 1000.0;
    go = true;
    cv.notify_all();
  }
  for (auto& thread : threads)
    thread.join();
  LoadResult result;
  for (std::size_t t = 0; t < perThread.size(); ++t) {
    result.latencies.insert(result.latencies.end(), perThread[t].begin(), perThread[t].end());
    result.errors += errors[t];
  }
  result.requestsPerSecond =
      static_cast<double>(result.latencies.size()) / (deadline - started) * 1e6;
  return result;
}

void interleavedLoad(int portA, const PathFor& pathA, int portB, const PathFor& pathB,
                     int connections, std::chrono::milliseconds segment, int segments,
                     LoadResult* a, LoadResult* b) {
  double rateA = 0, rateB = 0;
  for (int s = 0; s < segments; ++s) {
    for (int side = 0; side < 2; ++side) {
      bool isA = (side == 0) == ((s & 1) == 0);
      LoadResult part = isA ? runLoad(portA, pathA, connections, segment)
                            : runLoad(portB, pathB, connections, segment);
      LoadResult* into = isA ? a : b;
      (isA ? rateA : rateB) += part.requestsPerSecond;
      into->latencies.insert(into->latencies.end(), part.latencies.begin(), part.latencies.end());
      into->errors += part.errors;
    }
  }
  a->requestsPerSecond = rateA / segments;
  b->requestsPerSecond = rateB / segments;
}

} // namespace bench
