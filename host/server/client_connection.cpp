#include "server/client_connection.h"

#include <unistd.h>

namespace wdh {

ClientConnection::~ClientConnection() {
  ::close(fd_);
}

} // namespace wdh
