#include "stub_upstream.h"

#include <arpa/inet.h>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <unordered_map>

namespace bench {
namespace {

constexpr std::string_view kUrl = "{\"value\":\"about:blank\"}";
constexpr std::string_view kReady = "{\"value\":{\"ready\":true,\"message\":\"stub\"}}";
constexpr std::string_view kUnknown =
    "{\"value\":{\"error\":\"unknown command\",\"message\":\"the stub serves /status and "
    "/session/stub/*\",\"stacktrace\":\"\"}}";

// One client connection: bytes read but not yet answered, bytes not yet written.
struct Connection {
  std::string in;
  std::string out;
};

void appendAnswer(std::string* out, int status, std::string_view body) {
  out->append(status == 200 ? "HTTP/1.1 200 OK\r\n" : "HTTP/1.1 404 Not Found\r\n");
  out->append("Content-Type: application/json; charset=utf-8\r\nCache-Control: no-cache\r\n"
              "Content-Length: ");
  out->append(std::to_string(body.size())).append("\r\n\r\n").append(body);
}

std::size_t contentLength(std::string_view head) {
  for (std::string_view name : {"\r\nContent-Length:", "\r\ncontent-length:"}) {
    std::size_t at = head.find(name);
    if (at != std::string_view::npos)
      return std::strtoul(head.data() + at + name.size(), nullptr, 10);
  }
  return 0;
}

// Answers every complete request in c->in; returns false when the request is malformed.
bool answerAll(Connection* c, long* count) {
  std::size_t at = 0;
  while (true) {
    std::size_t headEnd = c->in.find("\r\n\r\n", at);
    if (headEnd == std::string::npos)
      break;
    std::string_view head(c->in.data() + at, headEnd + 2 - at);
    std::size_t total = headEnd + 4 - at + contentLength(head);
    if (c->in.size() - at < total)
      break;
    std::size_t space = head.find(' ');
    std::size_t space2 = space == std::string_view::npos ? space : head.find(' ', space + 1);
    if (space2 == std::string_view::npos)
      return false;
    std::string_view path = head.substr(space + 1, space2 - space - 1);
    if (path.substr(0, 14) == "/session/stub/")
      appendAnswer(&c->out, 200, kUrl);
    else if (path == "/status")
      appendAnswer(&c->out, 200, kReady);
    else
      appendAnswer(&c->out, 404, kUnknown);
    ++*count;
    at += total;
  }
  c->in.erase(0, at);
  return true;
}

} // namespace

StubUpstream::StubUpstream() {
  listenFd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  if (listenFd_ < 0 || bind(listenFd_, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
      listen(listenFd_, 1024) != 0 ||
      getsockname(listenFd_, reinterpret_cast<sockaddr*>(&address), &size) != 0)
    throw std::runtime_error(std::string("stub upstream cannot listen: ") + std::strerror(errno));
  port_ = ntohs(address.sin_port);
  epollFd_ = epoll_create1(EPOLL_CLOEXEC);
  wakeFd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = listenFd_;
  epoll_ctl(epollFd_, EPOLL_CTL_ADD, listenFd_, &event);
  event.data.fd = wakeFd_;
  epoll_ctl(epollFd_, EPOLL_CTL_ADD, wakeFd_, &event);
  thread_ = std::thread([this] { serve(); });
}

StubUpstream::~StubUpstream() {
  std::uint64_t one = 1;
  if (write(wakeFd_, &one, sizeof one) < 0) {
  }
  thread_.join();
  close(wakeFd_);
  close(epollFd_);
  close(listenFd_);
}

void StubUpstream::serve() {
  std::unordered_map<int, Connection> connections;
  epoll_event events[256];
  char buffer[65536];
  long count = 0;
  auto drop = [&](int fd) {
    epoll_ctl(epollFd_, EPOLL_CTL_DEL, fd, nullptr);
    close(fd);
    connections.erase(fd);
  };
  while (true) {
    int ready = epoll_wait(epollFd_, events, 256, 1000);
    for (int i = 0; i < ready; ++i) {
      int fd = events[i].data.fd;
      if (fd == wakeFd_) {
        for (auto& entry : connections)
          close(entry.first);
        return;
      }
      if (fd == listenFd_) {
        int client;
        while ((client = accept4(listenFd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
          int one = 1;
          setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          epoll_event event{};
          event.events = EPOLLIN | EPOLLRDHUP;
          event.data.fd = client;
          epoll_ctl(epollFd_, EPOLL_CTL_ADD, client, &event);
          connections[client];
        }
        continue;
      }
      auto found = connections.find(fd);
      if (found == connections.end())
        continue;
      Connection& c = found->second;
      bool closed = false;
      while (true) {
        ssize_t got = read(fd, buffer, sizeof buffer);
        if (got > 0) {
          c.in.append(buffer, static_cast<std::size_t>(got));
          continue;
        }
        closed = got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
        break;
      }
      if (!answerAll(&c, &count))
        closed = true;
      // Answers are small: a blocking-style write loop bounded by the socket buffer suffices.
      while (!closed && !c.out.empty()) {
        ssize_t put = write(fd, c.out.data(), c.out.size());
        if (put <= 0) {
          closed = !(put < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
          break;
        }
        c.out.erase(0, static_cast<std::size_t>(put));
      }
      answered_.store(count, std::memory_order_relaxed);
      if (closed)
        drop(fd);
    }
  }
}

} // namespace bench
