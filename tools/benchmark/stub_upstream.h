// A minimal, fast WebDriver upstream for measuring the host alone: one epoll thread on
// 127.0.0.1, keep-alive, {"value":"about:blank"} for anything under /session/stub/ and
// {"value":{"ready":true}} for /status.
#pragma once

#include <atomic>
#include <thread>

namespace bench {

// The stub server; listens from construction until destruction.
class StubUpstream {
public:
  // Binds 127.0.0.1 on a port the OS picks and starts serving; throws on failure.
  StubUpstream();
  ~StubUpstream();
  StubUpstream(const StubUpstream&) = delete;
  StubUpstream& operator=(const StubUpstream&) = delete;

  // The port it listens on.
  int port() const noexcept { return port_; }
  // Requests answered so far.
  long answered() const noexcept { return answered_.load(std::memory_order_relaxed); }

private:
  void serve();

  int listenFd_ = -1;
  int epollFd_ = -1;
  int wakeFd_ = -1;
  int port_ = 0;
  std::atomic<long> answered_{0};
  std::thread thread_;
};

} // namespace bench
