// A session's log followed live over a websocket (Selenoid's ws://host/logs/{session}): one
// thread reads the log file as it grows and writes each line as a text frame into one end of a
// socket pair, whose other end the server's tunnel relays to the client.
#pragma once

#include "process/unique_fd.h"

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace wdh {

// One follower. Its thread ends when the log is whole and sent (a close frame 1000 follows),
// when the client goes (or sends a close frame), or at stop().
class LogFollower {
public:
  // Follows the log file `path` from its beginning; `written` answers whether its session
  // still writes it (called from the follower's thread). `socket` is this side of the pair.
  LogFollower(std::string path, std::function<bool()> written, UniqueFd socket);
  // stop(), then joins the thread.
  ~LogFollower();
  LogFollower(const LogFollower&) = delete;
  LogFollower& operator=(const LogFollower&) = delete;

  // Asks the thread to end (a close frame 1001 goes to the client); returns at once.
  void stop() noexcept { stop_.store(true); }
  // True once the thread has ended.
  bool done() const noexcept { return done_.load(); }

private:
  void run();
  // Writes `bytes` to the socket, waiting while the client reads slowly; false when it is gone
  // or the follower is stopped.
  bool send(const std::string& bytes);
  // Reads what the client sent (nothing but control frames is expected); false once it closed.
  bool clientStillThere();

  std::string path_;
  std::function<bool()> written_;
  UniqueFd socket_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

} // namespace wdh
