// The tunnels of a forwarding proxy once their handshake is done: one thread and one epoll set
// move the bytes of every client and server pair, each direction through a bounded buffer, so a
// browser's hundreds of open connections cost no thread each.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace wdh::proxy {

// Thread-safe; stop() (or the destructor) closes every pair and joins the thread.
class PumpLoop {
public:
  // A pair with nothing moving for `idle` is closed.
  explicit PumpLoop(std::chrono::milliseconds idle = std::chrono::minutes(5));
  ~PumpLoop();
  PumpLoop(const PumpLoop&) = delete;
  PumpLoop& operator=(const PumpLoop&) = delete;

  // Starts the thread; false (errno set) when the epoll set cannot be made.
  bool start();
  // Takes over the non-blocking sockets `client` and `server` (closed when the pair ends) and
  // moves bytes both ways, `toServer` and `toClient` first. False, with both closed, when the
  // loop is not running.
  bool adopt(int client, int server, std::string toServer, std::string toClient);
  // Pairs open now (and adopted but not yet taken up).
  std::size_t size() const;
  // Bytes moved so far, both ways.
  std::uint64_t moved() const { return moved_.load(); }
  // Closes every pair and ends the thread; later calls do nothing.
  void stop();

private:
  struct Pair;
  void run();
  void take(std::unique_ptr<Pair> pair);
  void pump(Pair& pair);
  bool arm(Pair& pair);
  void close(Pair* pair);

  const std::chrono::milliseconds idle_;
  int epoll_ = -1;
  int wake_ = -1;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Pair>> incoming_; // adopted, not yet registered (mutex_)
  std::size_t count_ = 0;                       // pairs adopted and not closed (mutex_)
  bool stopping_ = false;                       // (mutex_)
  std::unordered_map<std::uint64_t, std::unique_ptr<Pair>> pairs_; // by id; the loop thread's
  std::uint64_t lastId_ = 0;                                       // the loop thread's
  std::atomic<std::uint64_t> moved_{0};
};

} // namespace wdh::proxy
