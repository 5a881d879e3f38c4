// The one HTTP client every measurement uses: a keep-alive HTTP/1.1 connection to 127.0.0.1,
// written on a plain socket so that its own cost is small and the same for every target.
#pragma once

#include <Poco/Net/StreamSocket.h>
#include <chrono>
#include <string>
#include <string_view>

namespace bench {

// One keep-alive connection to 127.0.0.1:port; reconnects when the server closed it.
class HttpConnection {
public:
  // Remembers the port; connects on the first request.
  explicit HttpConnection(int port, std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // Sends one request and reads the whole answer into *body; returns the HTTP status.
  // Throws std::runtime_error on a connection error or when no answer comes within the timeout.
  int request(std::string_view method, std::string_view path, std::string_view body,
              std::string* answer);
  // Changes the timeout for later requests.
  void setTimeout(std::chrono::milliseconds timeout);

private:
  void connect();
  void readMore();

  int port_;
  std::chrono::milliseconds timeout_;
  Poco::Net::StreamSocket socket_;
  bool connected_ = false;
  std::string out_;
  std::string in_;
};

// One request on a fresh connection; returns the status (body in *answer).
int httpOnce(int port, std::string_view method, std::string_view path, std::string_view body,
             std::string* answer, std::chrono::milliseconds timeout = std::chrono::seconds(60));

// The string value of "key" in a JSON text (first occurrence), or "" when absent.
std::string jsonString(std::string_view json, std::string_view key);

} // namespace bench
