// Plain socket operations shared by the server's client connections and the relay's driver
// connections.
#pragma once

#include <chrono>
#include <string_view>

namespace wdh {

// Sends `head` then `body` (one gathered write when the socket takes it all), waiting for the
// socket to drain for at most `timeout` in total (blocking or not). 0 when all was sent;
// otherwise the errno that stopped it, ETIMEDOUT when the peer was too slow to read.
int sendAll(int fd, std::string_view head, std::string_view body,
            std::chrono::milliseconds timeout);

// True when the peer has closed its side of `fd` (or the socket failed); never blocks.
bool peerClosed(int fd);

} // namespace wdh
