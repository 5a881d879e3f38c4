#include "support/websocket_stub.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/WebSocket.h>
#include <chrono>
#include <string_view>

namespace wdhtest {
namespace {

class EchoHandler : public Poco::Net::HTTPRequestHandler {
public:
  EchoHandler(std::shared_ptr<WebSocketStub::Record> record, int port)
      : record_(std::move(record)), port_(port) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    if (request.getURI() == "/json/version") {
      std::string body = R"({"Browser":"Stub/1.0","webSocketDebuggerUrl":"ws://127.0.0.1:)" +
                         std::to_string(port_) + R"(/devtools/browser/stub"})";
      response.setContentType("application/json");
      response.setContentLength(static_cast<std::streamsize>(body.size()));
      response.send() << body;
      return;
    }
    try {
      Poco::Net::WebSocket socket(request, response);
      {
        std::lock_guard<std::mutex> lock(record_->mutex);
        record_->path = request.getURI();
        record_->host = request.getHost();
        record_->origin = request.get("Origin", "");
        ++record_->upgrades;
      }
      socket.setReceiveTimeout(Poco::Timespan(30, 0));
      char buffer[65536];
      for (;;) {
        int flags = 0;
        int got = socket.receiveFrame(buffer, sizeof buffer, flags);
        int opcode = flags & Poco::Net::WebSocket::FRAME_OP_BITMASK;
        if (got <= 0 || opcode == Poco::Net::WebSocket::FRAME_OP_CLOSE) {
          socket.shutdown();
          return;
        }
        if (opcode != Poco::Net::WebSocket::FRAME_OP_TEXT)
          continue;
        if (std::string_view(buffer, static_cast<std::size_t>(got)) == "flood") {
          flood(socket);
          continue;
        }
        socket.sendFrame(buffer, got, Poco::Net::WebSocket::FRAME_TEXT);
      }
    } catch (const Poco::Exception&) {
      // The host or the test went away: nothing to answer.
    }
  }

private:
  // Sends 64 KiB events as fast as the host takes them, up to 512 MiB, counting what it took.
  void flood(Poco::Net::WebSocket& socket) {
    std::string event(64 * 1024, 'e');
    while (record_->flooded.load() < 512LL * 1024 * 1024) {
      socket.sendFrame(event.data(), static_cast<int>(event.size()),
                       Poco::Net::WebSocket::FRAME_TEXT);
      record_->flooded += static_cast<long long>(event.size());
    }
  }

  std::shared_ptr<WebSocketStub::Record> record_;
  int port_;
};

class EchoFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
  EchoFactory(std::shared_ptr<WebSocketStub::Record> record, int port)
      : record_(std::move(record)), port_(port) {}
  Poco::Net::HTTPRequestHandler*
  createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new EchoHandler(record_, port_);
  }

private:
  std::shared_ptr<WebSocketStub::Record> record_;
  int port_;
};

} // namespace

WebSocketStub::WebSocketStub() : record_(std::make_shared<Record>()) {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  port_ = socket.address().port();
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(16);
  server_ =
      std::make_unique<Poco::Net::HTTPServer>(new EchoFactory(record_, port_), socket, params);
  server_->start();
}

WebSocketStub::~WebSocketStub() {
  server_->stopAll(true);
}

std::string WebSocketStub::lastPath() const {
  std::lock_guard<std::mutex> lock(record_->mutex);
  return record_->path;
}

std::string WebSocketStub::lastHost() const {
  std::lock_guard<std::mutex> lock(record_->mutex);
  return record_->host;
}

std::string WebSocketStub::lastOrigin() const {
  std::lock_guard<std::mutex> lock(record_->mutex);
  return record_->origin;
}

long long WebSocketStub::flooded() const {
  return record_->flooded.load();
}

int WebSocketStub::upgrades() const {
  std::lock_guard<std::mutex> lock(record_->mutex);
  return record_->upgrades;
}

} // namespace wdhtest
