// Plain socket operations shared by the server's client connections, the relay's driver
// connections and the forwarding proxy: every wait has a deadline.
#pragma once

#include "core/status.h"

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace wdh {

// Sends `head` then `body` (one gathered write when the socket takes it all), waiting for the
// socket to drain for at most `timeout` in total (blocking or not). 0 when all was sent;
// otherwise the errno that stopped it, ETIMEDOUT when the peer was too slow to read.
int sendAll(int fd, std::string_view head, std::string_view body,
            std::chrono::milliseconds timeout);

// Sends what the socket takes at once of `head` then `body` (gathered), never waiting; `*sent`
// is how many bytes of both went. 0, or the errno of a failed socket.
int sendWithoutWaiting(int fd, std::string_view head, std::string_view body, std::size_t* sent);

// True when the peer has closed its side of `fd` (or the socket failed); never blocks.
bool peerClosed(int fd);

// What one blocking step on a non-blocking socket may wait for.
struct IoBounds {
  // When the step gives up with a Timeout status.
  std::chrono::steady_clock::time_point deadline;
  // A descriptor (an eventfd) that becomes readable to abandon the step at once; -1 for none.
  int stopFd = -1;
};

// Bounds that end `timeout` from now, or earlier when `stopFd` becomes readable.
IoBounds boundsIn(std::chrono::milliseconds timeout, int stopFd);

// Waits until `fd` is ready for `events` (POLLIN/POLLOUT); Timeout, or an error when stopped.
Status waitReady(int fd, short events, const IoBounds& bounds);

// Reads exactly `n` bytes; an early end of stream is an error.
Status readExact(int fd, char* buf, std::size_t n, const IoBounds& bounds);

// Writes all of `data`.
Status writeAll(int fd, std::string_view data, const IoBounds& bounds);

// Reads an HTTP head through its blank line (at most `maxBytes`); bytes after it go to `rest`.
Status readHttpHead(int fd, std::size_t maxBytes, const IoBounds& bounds, std::string* head,
                    std::string* rest);

} // namespace wdh
