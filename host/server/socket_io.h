// Plain socket operations the server's connections need, on non-blocking sockets.
#pragma once

#include <chrono>
#include <string_view>

namespace wdh {

// Sends `head` then `body` (one gathered write when the socket takes it all), waiting for the
// socket to drain for at most `timeout` in total. False when the peer is gone or too slow.
bool sendAll(int fd, std::string_view head, std::string_view body,
             std::chrono::milliseconds timeout);

// True when the peer has closed its side of `fd` (or the socket failed); never blocks.
bool peerClosed(int fd);

} // namespace wdh
