// A scripted HTTP server on 127.0.0.1 (a port the OS picks) for tests of HTTP clients: its
// i-th connection gets answers[i] (raw bytes), then is closed (or, with keepOpen, held open as
// a keep-alive server would, until the client closes it or the server ends); a connection past
// the list is held open without an answer until the server is destroyed. Every wait is bounded.
#pragma once

#include "support/loopback_listener.h"

#include <fcntl.h>
#include <mutex>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace wdhtest {

// Serves the script on a thread of its own until destroyed.
class ScriptedHttpServer {
public:
  explicit ScriptedHttpServer(std::vector<std::string> answers, bool keepOpen = false)
      : answers_(std::move(answers)), keepOpen_(keepOpen) {
    if (pipe2(stop_, O_CLOEXEC) != 0)
      stop_[0] = stop_[1] = -1;
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedHttpServer() {
    if (stop_[1] >= 0)
      (void)!write(stop_[1], "x", 1);
    listener_.stopAccepting();
    thread_.join();
    for (int fd : stop_)
      if (fd >= 0)
        close(fd);
  }
  ScriptedHttpServer(const ScriptedHttpServer&) = delete;
  ScriptedHttpServer& operator=(const ScriptedHttpServer&) = delete;

  // "http://127.0.0.1:PORT" + path.
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(listener_.port()) + path;
  }
  // Every request read so far, head and body.
  std::vector<std::string> requests() {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }

  // A whole answer: status line, headers (each ending in CRLF), Content-Length and body.
  static std::string answer(const std::string& statusLine, const std::string& headers,
                            const std::string& body) {
    return "HTTP/1.1 " + statusLine + "\r\n" + headers +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }

private:
  void serve() {
    for (std::size_t i = 0; i <= answers_.size(); ++i) {
      pollfd ready[2] = {{listener_.fd(), POLLIN, 0}, {stop_[0], POLLIN, 0}};
      if (poll(ready, 2, 20000) <= 0 || ready[1].revents != 0)
        return;
      int fd = accept(listener_.fd(), nullptr, nullptr);
      if (fd < 0)
        return;
      std::string request = readRequest(fd);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        requests_.push_back(request);
      }
      if (i < answers_.size()) {
        send(fd, answers_[i].data(), answers_[i].size(), MSG_NOSIGNAL);
        if (keepOpen_) {
          pollfd hold[2] = {{fd, POLLIN, 0}, {stop_[0], POLLIN, 0}};
          poll(hold, 2, 20000); // until the client closes it or the server ends
        }
      } else {
        pollfd hold{stop_[0], POLLIN, 0};
        poll(&hold, 1, 20000); // until the server ends
      }
      close(fd);
    }
  }

  std::string readRequest(int fd) {
    std::string text;
    char buffer[4096];
    for (int reads = 0; reads < 1000; ++reads) {
      std::size_t end = text.find("\r\n\r\n");
      if (end != std::string::npos) {
        std::size_t length = 0;
        std::size_t at = text.find("Content-Length: ");
        if (at != std::string::npos && at < end)
          length = std::stoul(text.substr(at + 16));
        if (text.size() >= end + 4 + length)
          return text;
      }
      pollfd ready[2] = {{fd, POLLIN, 0}, {stop_[0], POLLIN, 0}};
      if (poll(ready, 2, 5000) <= 0 || ready[1].revents != 0)
        return text;
      ssize_t got = recv(fd, buffer, sizeof buffer, 0);
      if (got <= 0)
        return text;
      text.append(buffer, static_cast<std::size_t>(got));
    }
    return text;
  }

  LoopbackListener listener_;
  std::vector<std::string> answers_;
  bool keepOpen_ = false;
  int stop_[2] = {-1, -1};
  std::mutex mutex_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

} // namespace wdhtest
