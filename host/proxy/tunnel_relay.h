// Moving bytes both ways between a client and a server socket, with bounded buffers.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace wdh::proxy {

// Relays between non-blocking `client` and `server` until the server's stream ends and is
// delivered, either side fails, nothing moves for `idle`, or `stopFd` becomes readable.
// `toServer` and `toClient` are sent first. Returns the bytes moved (both directions).
uint64_t relayTunnel(int client, int server, std::string toServer, std::string toClient,
                     std::chrono::milliseconds idle, int stopFd);

} // namespace wdh::proxy
