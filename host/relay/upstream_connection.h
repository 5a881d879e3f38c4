// One persistent HTTP/1.1 connection to a session's driver: send a request, read its response.
#pragma once

#include "core/status.h"
#include "relay/response_parser.h"

#include <Poco/Net/StreamSocket.h>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace wdh {

// Not thread-safe: one request at a time (the Upstream hands it to one caller at a time).
class UpstreamConnection {
public:
  // Connects to host:port within `timeout`; UnknownError naming the cause when it cannot.
  static Status open(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout,
                     std::unique_ptr<UpstreamConnection>* out);

  // Sends `head` and `body` in one write, waiting at most `timeout` for the socket (which
  // also becomes the wait of later blocking reads). `*timedOut` says the driver was too slow.
  Status send(std::string_view head, std::string_view body, std::chrono::milliseconds timeout,
              bool* timedOut);

  // Reads what the driver sent, waiting for it when `wait` (up to the send timeout) or only
  // taking what has arrived, and parses the bytes so far. Incomplete: read again. Invalid:
  // `*error` says why; `*timedOut` when the wait ran out.
  ParseState receive(bool wait, bool headRequest, ParsedResponse* out, Status* error,
                     bool* timedOut);

  // True once a byte of the current answer came.
  bool receivedAny() const noexcept { return size_ > 0 || answered_; }

  // True when the connection may carry another request.
  bool reusable() const noexcept { return reusable_; }

  // The socket, for a caller that waits for it to become readable itself.
  int fd() const noexcept { return fd_; }
  // The epoll set the socket is registered with, or -1 (kept by that caller).
  int registeredWith = -1;

private:
  explicit UpstreamConnection(Poco::Net::StreamSocket socket);
  bool setTimeout(std::chrono::milliseconds timeout);
  void reserve(std::size_t room);

  Poco::Net::StreamSocket socket_;
  int fd_;
  long long timeoutMs_ = -1; // what SO_RCVTIMEO/SO_SNDTIMEO are set to
  bool reusable_ = true;
  bool answered_ = false;          // the current answer is complete
  std::unique_ptr<char[]> buffer_; // received bytes; kept between requests, shrunk when large
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

} // namespace wdh
