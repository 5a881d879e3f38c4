#include "process/socket_owner.h"

#include "process/guard_tree.h"

#include <arpa/inet.h>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

namespace wdh {
namespace {

// The inode of the socket whose local end is `local` and remote end `remote` (both IPv4), as
// /proc/net/tcp lists it (addresses in the kernel's byte order, ports in hex); 0 when absent.
unsigned long inodeOf(const sockaddr_in& local, const sockaddr_in& remote) {
  std::ifstream table("/proc/net/tcp");
  std::string line;
  std::getline(table, line); // the heading
  while (std::getline(table, line)) {
    unsigned localIp = 0, localPort = 0, remoteIp = 0, remotePort = 0;
    unsigned long inode = 0;
    // "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout
    // inode"
    if (std::sscanf(line.c_str(), " %*d: %8X:%4X %8X:%4X %*X %*X:%*X %*X:%*X %*X %*u %*u %lu",
                    &localIp, &localPort, &remoteIp, &remotePort, &inode) != 5)
      continue;
    if (localIp == local.sin_addr.s_addr && localPort == ntohs(local.sin_port) &&
        remoteIp == remote.sin_addr.s_addr && remotePort == ntohs(remote.sin_port))
      return inode;
  }
  return 0;
}

// True when process `pid` has a descriptor open on socket `inode`.
bool holdsSocket(pid_t pid, const std::string& link) {
  std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* fds = opendir(dir.c_str());
  if (fds == nullptr)
    return false;
  bool found = false;
  char target[64];
  while (dirent* entry = readdir(fds)) {
    if (entry->d_name[0] == '.')
      continue;
    std::string path = dir + "/" + entry->d_name;
    ssize_t length = readlink(path.c_str(), target, sizeof target - 1);
    if (length > 0 &&
        link.compare(0, std::string::npos, target, static_cast<std::size_t>(length)) == 0) {
      found = true;
      break;
    }
  }
  closedir(fds);
  return found;
}

} // namespace

bool peerHeldBy(int fd, const std::vector<pid_t>& roots) {
  sockaddr_in ours{}, peer{};
  socklen_t length = sizeof ours;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ours), &length) != 0 ||
      ours.sin_family != AF_INET)
    return false;
  length = sizeof peer;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) != 0 ||
      peer.sin_family != AF_INET)
    return false;
  // The peer's socket: its local end is the peer's address, its remote end ours.
  unsigned long inode = inodeOf(peer, ours);
  if (inode == 0)
    return false;
  std::string link = "socket:[" + std::to_string(inode) + "]";
  for (pid_t root : roots) {
    if (holdsSocket(root, link))
      return true;
    for (const ProcInfo& process : findDescendants(root))
      if (process.state != 'Z' && holdsSocket(process.pid, link))
        return true;
  }
  return false;
}

} // namespace wdh
