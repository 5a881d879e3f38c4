// Test support: a stand-in for a driver's BiDi endpoint and a browser's DevTools endpoint, built
// on Poco's WebSocket server, that echoes every text frame and records what the host sent.
#pragma once

#include <Poco/Net/HTTPServer.h>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>

namespace wdhtest {

// Serves on 127.0.0.1, on a port the OS picks: GET /json/version (as Chrome's DevTools does)
// and websocket upgrades on any other path, whose text frames it echoes; the text "flood" makes
// it send 64 KiB events as fast as the host takes them (up to 512 MiB).
class WebSocketStub {
public:
  WebSocketStub();
  ~WebSocketStub();
  WebSocketStub(const WebSocketStub&) = delete;
  WebSocketStub& operator=(const WebSocketStub&) = delete;

  // Its port.
  int port() const noexcept { return port_; }
  // What the last upgrade request said: its path, Host and Origin headers ("" when absent).
  std::string lastPath() const;
  std::string lastHost() const;
  std::string lastOrigin() const;
  // Upgrades accepted so far.
  int upgrades() const;
  // Bytes of flood events the host took so far.
  long long flooded() const;

  // Shared with the request handlers (which may outlive a request).
  struct Record {
    mutable std::mutex mutex;
    std::string path, host, origin;
    int upgrades = 0;
    std::atomic<long long> flooded{0};
  };

private:
  std::shared_ptr<Record> record_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  int port_ = 0;
};

} // namespace wdhtest
