// One session's upstream WebDriver endpoint, reached over persistent keep-alive connections.
#pragma once

#include "core/status.h"
#include "relay/upstream_connection.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace wdh {

// What the upstream answered to one relayed command.
struct RelayResponse {
  int status = 0;          // HTTP status, passed through unchanged
  std::string contentType; // the upstream's Content-Type
  std::string body;        // the body, passed through unchanged
};

// Relays commands to "http://host:port/session/<driver id>"; thread-safe. Concurrent commands
// each get a connection; idle connections are kept for reuse (at most a few).
class Upstream {
public:
  // Parses an upstream base URL; InvalidArgument unless it is http://host:port/path.
  static Status create(std::string_view baseUrl, std::unique_ptr<Upstream>* out);

  // Sends `method` to base + suffix ("/url") with `body`; waits at most `timeout`.
  // UnknownError naming the cause when the upstream does not answer.
  Status send(std::string_view method, std::string_view suffix, std::string_view body,
              std::chrono::milliseconds timeout, RelayResponse* out);

  // For callers that wait for the answer themselves (the server's event loop):
  // The request head for `method` base + suffix with a body of `bodySize` bytes.
  void requestHead(std::string_view method, std::string_view suffix, std::size_t bodySize,
                   std::string* head) const;
  // An idle keep-alive connection (`*reused` true), or a new one, still `*connecting` (wait
  // until writable) or already made; nothing here waits.
  Status checkout(std::unique_ptr<UpstreamConnection>* out, bool* reused, bool* connecting);
  // Gives back a connection that answered in full; others are closed.
  void checkin(std::unique_ptr<UpstreamConnection> connection);
  // The message for `method suffix` that failed because of `cause`.
  std::string failure(std::string_view method, std::string_view suffix,
                      const std::string& cause) const;
  // The message for `method suffix` that got no answer within `timeout`.
  std::string noAnswer(std::string_view method, std::string_view suffix,
                       std::chrono::milliseconds timeout) const;
  // True when nothing listens at the driver's address any more (a fresh connection is
  // refused): the driver is gone. False while it accepts, or when the answer is unclear.
  bool refusesConnections(std::chrono::milliseconds timeout) const;
  // The driver's host and port.
  const std::string& host() const noexcept { return host_; }
  std::uint16_t port() const noexcept { return port_; }

private:
  Upstream(std::string host, std::uint16_t port, std::string pathPrefix);

  std::string host_;
  std::uint16_t port_;
  std::string pathPrefix_;
  std::string hostHeader_; // "Host: host:port\r\n"
  std::mutex mutex_;
  std::vector<std::unique_ptr<UpstreamConnection>> idle_;
};

} // namespace wdh
