#include "http/websocket_client.h"

#include "core/time.h"

#include <Poco/Buffer.h>
#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/WebSocket.h>
#include <Poco/URI.h>
#include <algorithm>

namespace wdh {

using Clock = std::chrono::steady_clock;

WebSocketClient::WebSocketClient(std::unique_ptr<Poco::Net::WebSocket> socket,
                                 std::size_t maxMessage)
    : socket_(std::move(socket)), maxMessage_(maxMessage) {}

WebSocketClient::~WebSocketClient() {
  try {
    socket_->shutdown();
    socket_->close();
  } catch (const Poco::Exception&) {
    // Already gone: nothing to close.
  }
}

Status WebSocketClient::open(const std::string& url, std::chrono::milliseconds timeout,
                             std::size_t maxMessage, std::unique_ptr<WebSocketClient>* out) {
  try {
    Poco::URI uri(url);
    if (uri.getScheme() != "ws" || uri.getHost().empty())
      return Status(ErrorCode::UnknownError, "not a ws:// URL: " + url);
    auto deadline = Clock::now() + timeout;
    Poco::Net::HTTPClientSession http(uri.getHost(), uri.getPort());
    http.setTimeout(timespanUntil(deadline));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, uri.getPathEtc(),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    Poco::Net::HTTPResponse response;
    auto socket = std::make_unique<Poco::Net::WebSocket>(http, request, response);
    socket->setMaxPayloadSize(static_cast<int>(std::min<std::size_t>(maxMessage, 1u << 30)));
    out->reset(new WebSocketClient(std::move(socket), maxMessage));
    return Status::ok();
  } catch (const Poco::TimeoutException&) {
    return Status(ErrorCode::Timeout, "no websocket handshake from " + url + " in time");
  } catch (const Poco::Exception& e) {
    return Status(ErrorCode::UnknownError, "cannot open " + url + ": " + e.displayText());
  }
}

Status WebSocketClient::send(std::string_view text, Clock::time_point deadline) {
  try {
    socket_->setSendTimeout(timespanUntil(deadline));
    socket_->sendFrame(text.data(), static_cast<int>(text.size()),
                       Poco::Net::WebSocket::FRAME_TEXT);
    return Status::ok();
  } catch (const Poco::TimeoutException&) {
    return Status(ErrorCode::Timeout, "the websocket took no message in time");
  } catch (const Poco::Exception& e) {
    return Status(ErrorCode::UnknownError, "cannot send on the websocket: " + e.displayText());
  }
}

Status WebSocketClient::receive(Clock::time_point deadline, std::string* out) {
  out->clear();
  try {
    for (;;) {
      if (Clock::now() >= deadline)
        return Status(ErrorCode::Timeout, "no websocket message in time");
      socket_->setReceiveTimeout(timespanUntil(deadline));
      Poco::Buffer<char> buffer(0);
      int flags = 0;
      int got = socket_->receiveFrame(buffer, flags);
      const int opcode = flags & Poco::Net::WebSocket::FRAME_OP_BITMASK;
      if ((got <= 0 && flags == 0) || opcode == Poco::Net::WebSocket::FRAME_OP_CLOSE)
        return Status(ErrorCode::UnknownError, "the websocket closed");
      if (opcode == Poco::Net::WebSocket::FRAME_OP_PING) {
        socket_->sendFrame(buffer.begin(), static_cast<int>(buffer.size()),
                           Poco::Net::WebSocket::FRAME_FLAG_FIN |
                               Poco::Net::WebSocket::FRAME_OP_PONG);
        continue;
      }
      if (opcode == Poco::Net::WebSocket::FRAME_OP_PONG)
        continue;
      // A message may come in several frames: the first, then continuations to the final one.
      out->append(buffer.begin(), buffer.size());
      if (out->size() > maxMessage_)
        return Status(ErrorCode::UnknownError,
                      "a websocket message over " + std::to_string(maxMessage_ >> 20) + " MB");
      if ((flags & Poco::Net::WebSocket::FRAME_FLAG_FIN) != 0)
        return Status::ok();
    }
  } catch (const Poco::TimeoutException&) {
    return Status(ErrorCode::Timeout, "no websocket message in time");
  } catch (const Poco::Exception& e) {
    return Status(ErrorCode::UnknownError, "the websocket failed: " + e.displayText());
  }
}

} // namespace wdh
