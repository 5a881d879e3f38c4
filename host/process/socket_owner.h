// Which process holds the other end of a loopback TCP connection: found through /proc, so that
// a service on 127.0.0.1 can serve only the processes of one session.
#pragma once

#include <sys/types.h>
#include <vector>

namespace wdh {

// True when the peer of the accepted loopback TCP socket `fd` is held open by one of `roots`
// or one of their descendants. Reads /proc/net/tcp for the peer socket's inode, then the fd
// tables of those processes; false when any of it cannot be read (fails closed).
bool peerHeldBy(int fd, const std::vector<pid_t>& roots);

} // namespace wdh
