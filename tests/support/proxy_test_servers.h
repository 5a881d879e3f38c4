// Servers and a client for the forwarding proxy's tests, all on 127.0.0.1 with OS-picked ports:
// an origin HTTP server, an HTTP upstream proxy and SOCKS4/5 servers that require credentials.
#pragma once

#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace wdhtest {

// A Poco HTTP server answering 200 "origin METHOD URI host=HOST" to every request.
class OriginServer {
public:
  // Starts listening on 127.0.0.1:0.
  OriginServer();
  // Stops the server.
  ~OriginServer();
  // The port it listens on.
  uint16_t port() const { return port_; }
  // How many requests it answered.
  int requests() const { return requests_->load(); }

private:
  std::shared_ptr<std::atomic<int>> requests_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  uint16_t port_ = 0;
};

// A TCP server with one thread per connection, all joined when it is destroyed.
class TcpTestServer {
public:
  // Serves each connection (blocking socket, 5 s receive timeout) with `handler`.
  explicit TcpTestServer(std::function<void(Poco::Net::StreamSocket&)> handler);
  // Stops accepting and joins every connection thread.
  ~TcpTestServer();
  // The port it listens on.
  uint16_t port() const { return port_; }
  // True once destruction began (handlers' loops end then).
  const std::atomic<bool>& stopping() const { return stopping_; }

private:
  std::function<void(Poco::Net::StreamSocket&)> handler_;
  Poco::Net::ServerSocket listener_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptThread_;
  std::mutex mutex_;
  std::list<std::thread> threads_;
};

// What an upstream test server saw: targets requested, and whether credentials were right.
struct UpstreamLog {
  std::mutex mutex;
  std::vector<std::string> targets; // host names (or host:port) the client asked for
  int authenticated = 0;
  int rejected = 0;
  // A copy of `targets`.
  std::vector<std::string> snapshot() {
    std::lock_guard<std::mutex> lock(mutex);
    return targets;
  }
};

// An HTTP proxy that requires Proxy-Authorization: Basic base64(user:pass) (407 otherwise) and
// connects every host name to 127.0.0.1.
class HttpUpstream {
public:
  // Starts it with the credentials it demands.
  HttpUpstream(std::string user, std::string password);
  // The port it listens on.
  uint16_t port() const { return server_->port(); }
  // What it saw.
  UpstreamLog& seen() { return *log_; }

private:
  std::shared_ptr<UpstreamLog> log_;
  std::unique_ptr<TcpTestServer> server_;
};

// A SOCKS5 server requiring username/password (RFC 1929), or a SOCKS4a server checking the user
// id; connects every name to 127.0.0.1.
class SocksUpstream {
public:
  // `version` 4 or 5.
  SocksUpstream(int version, std::string user, std::string password);
  // The port it listens on.
  uint16_t port() const { return server_->port(); }
  // What it saw.
  UpstreamLog& seen() { return *log_; }

private:
  std::shared_ptr<UpstreamLog> log_;
  std::unique_ptr<TcpTestServer> server_;
};

// Sends `request` to 127.0.0.1:port and reads until the peer closes (5 s bound).
std::string exchange(uint16_t port, const std::string& request);

// A CONNECT through the proxy on `proxyPort` to `authority`; then, if the answer is 200, sends
// `inner` through the tunnel and appends everything read until close. Returns all it read.
std::string connectAndSend(uint16_t proxyPort, const std::string& authority,
                           const std::string& inner);

// The status code of an HTTP answer ("HTTP/1.1 200 ..." -> 200), 0 when malformed.
int statusOf(const std::string& response);

// Open file descriptors and threads of this process (from /proc/self).
int countFds();
// Threads of this process.
int countThreads();

} // namespace wdhtest
