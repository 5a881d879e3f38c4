// One accepted client connection: its socket, bytes received ahead of use, and who serves it.
#pragma once

#include "server/event_source.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace wdh {

struct RelayInFlight;

// Owned by the server; served by one worker at a time (the one whose event moved it to Busy).
class ClientConnection : public EventSource {
public:
  // Who may touch the connection now.
  enum class State {
    Idle,    // waiting in epoll for bytes; the sweeper may expire it
    Busy,    // a worker is reading or answering it
    Expired, // the sweeper shut it down; the next worker to see it destroys it
  };

  // Takes ownership of the connected socket `fd`, accepted from `peer` (its IP address).
  ClientConnection(int fd, std::string peer);
  // Closes the socket (which also takes it out of epoll).
  ~ClientConnection();
  ClientConnection(const ClientConnection&) = delete;
  ClientConnection& operator=(const ClientConnection&) = delete;

  // The socket.
  int fd() const noexcept { return fd_; }
  // The client's IP address, as the per-peer connection limit counts it.
  const std::string& peer() const noexcept { return peer_; }
  // Gives up the socket (which the caller now owns); the destructor then closes nothing.
  int releaseFd() noexcept {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

  std::atomic<State> state{State::Busy}; // see State; Idle -> Busy by compare-exchange
  std::mutex idleGuard;          // held while going Busy -> Idle and while the sweeper expires it
  std::int64_t idleDeadline = 0; // steady-clock ms after which an Idle one expires (idleGuard)
  std::string pending;       // bytes received that are not a whole request yet (Busy owner only)
  bool continueSent = false; // "100 Continue" already sent for the request in `pending`
  // A reply the client has not read yet, from `outSent` on; while `writing`, the connection
  // waits to be writable, not readable (Busy owner only).
  std::string out;
  std::size_t outSent = 0;
  bool writing = false;
  bool closeAfterWrite = false;         // the reply ends the connection
  std::unique_ptr<RelayInFlight> relay; // the command being relayed for it (Busy owner only)
  // The relay's upstream socket and deadline, read by the sweeper (idleGuard): past the
  // deadline it marks the relay timed out and shuts the socket, which wakes the relay.
  int relayFd = -1;
  std::int64_t relayDeadline = 0;
  bool relayTimedOut = false;

private:
  int fd_;
  std::string peer_;
};

} // namespace wdh
