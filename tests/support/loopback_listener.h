// A listening TCP socket on 127.0.0.1, on a port the OS picks, for stand-in servers in tests.
#pragma once

#include <netinet/in.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace wdhtest {

// Owns the socket; closes it when destroyed. Throws std::runtime_error when it cannot listen.
class LoopbackListener {
public:
  explicit LoopbackListener(int backlog = 64) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        listen(fd_, backlog) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      if (fd_ >= 0)
        close(fd_);
      throw std::runtime_error("cannot listen on 127.0.0.1");
    }
    port_ = ntohs(address.sin_port);
  }
  ~LoopbackListener() { close(fd_); }
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;

  // The listening socket.
  int fd() const noexcept { return fd_; }
  // The port the OS picked.
  int port() const noexcept { return port_; }
  // Makes accept() on it return at once (with an error) from now on.
  void stopAccepting() noexcept { shutdown(fd_, SHUT_RDWR); }

private:
  int fd_ = -1;
  int port_ = 0;
};

} // namespace wdhtest
