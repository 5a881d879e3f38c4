#include "server/client_connection.h"

#include "server/relay_in_flight.h"

#include <unistd.h>

namespace wdh {

ClientConnection::ClientConnection(int fd, std::string peer)
    : EventSource(Kind::Client), fd_(fd), peer_(std::move(peer)) {}

ClientConnection::~ClientConnection() {
  relay.reset(); // its upstream socket closes first
  if (fd_ >= 0)
    ::close(fd_);
}

} // namespace wdh
