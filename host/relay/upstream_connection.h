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
  // Starts connecting to host:port (a numeric address, as drivers' URLs give) without waiting:
  // `*connecting` says the connection is not made yet (wait until the socket is writable, then
  // call connected()). UnknownError naming the cause when it fails at once.
  static Status open(const std::string& host, std::uint16_t port,
                     std::unique_ptr<UpstreamConnection>* out, bool* connecting);

  // After the socket became writable while connecting: Ok, or why the connection failed.
  Status connected() const;

  // Starts a request: forgets the last answer.
  void beginRequest() noexcept;

  // Sends what it can of `head` and `body` from `*offset` (bytes of both already sent) without
  // waiting, and advances `*offset`; `*done` once all of it went. UnknownError naming the cause
  // when the socket fails.
  Status sendSome(std::string_view head, std::string_view body, std::size_t* offset, bool* done);

  // Takes what the driver sent so far, without waiting, and parses it. Incomplete: wait until
  // readable, then read again. Invalid: `*error` says why.
  ParseState receive(bool headRequest, ParsedResponse* out, Status* error);

  // True once a byte of the current answer came.
  bool receivedAny() const noexcept { return size_ > 0 || answered_; }

  // True when the connection may carry another request.
  bool reusable() const noexcept { return reusable_; }

  // The socket (non-blocking), for a caller that waits for it itself.
  int fd() const noexcept { return fd_; }
  // The epoll set the socket is registered with, or -1 (kept by that caller).
  int registeredWith = -1;

private:
  explicit UpstreamConnection(Poco::Net::StreamSocket socket);
  void reserve(std::size_t room);

  Poco::Net::StreamSocket socket_;
  int fd_;
  bool reusable_ = true;
  bool answered_ = false;          // the current answer is complete
  std::unique_ptr<char[]> buffer_; // received bytes; kept between requests, shrunk when large
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

} // namespace wdh
