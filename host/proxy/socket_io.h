// Bounded socket I/O for the forwarding proxy: every wait has a deadline and obeys a stop flag.
#pragma once

#include "core/status.h"

#include <Poco/Net/StreamSocket.h>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace wdh::proxy {

// The clock all proxy deadlines use.
using Clock = std::chrono::steady_clock;

// What one blocking step may wait for: a deadline, and the owner's stop flag (may be null).
struct IoBounds {
  // When the step gives up with a Timeout status.
  Clock::time_point deadline;
  // Set by the owner to abandon the step promptly.
  const std::atomic<bool>* stop = nullptr;
};

// Bounds that end `timeout` from now.
IoBounds boundsIn(std::chrono::milliseconds timeout, const std::atomic<bool>* stop);

// The descriptor of a Poco socket (owned by the socket).
int fdOf(const Poco::Net::Socket& socket);

// Waits until `fd` is ready for `events` (POLLIN/POLLOUT); Timeout or UnknownError otherwise.
Status waitReady(int fd, short events, const IoBounds& bounds);

// Reads what is available (at most `cap`); `*got` is 0 at end of stream.
Status readSome(int fd, char* buf, size_t cap, const IoBounds& bounds, size_t* got);

// Reads exactly `n` bytes; an early end of stream is an error.
Status readExact(int fd, char* buf, size_t n, const IoBounds& bounds);

// Writes all of `data`.
Status writeAll(int fd, std::string_view data, const IoBounds& bounds);

// Reads an HTTP head through its blank line (at most `maxBytes`); bytes after it go to `rest`.
Status readHttpHead(int fd, size_t maxBytes, const IoBounds& bounds, std::string* head,
                    std::string* rest);

// Opens a non-blocking TCP connection to host:port (resolving the name here).
Status dialTcp(const std::string& host, uint16_t port, const IoBounds& bounds,
               Poco::Net::StreamSocket* out);

} // namespace wdh::proxy
