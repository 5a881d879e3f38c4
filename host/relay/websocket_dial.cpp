#include "relay/websocket_dial.h"

#include "core/time.h"
#include "http/framing.h"
#include "http/head_stream.h"
#include "http/http_client.h"

#include <Poco/Exception.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/String.h>
#include <Poco/URI.h>
#include <rapidjson/document.h>

namespace wdh {
namespace {

constexpr std::size_t kMaxHead = 16 * 1024;

Status failed(const std::string& url, const std::string& why) {
  return Status(ErrorCode::UnknownError, "the websocket at " + url + " " + why);
}

std::string handshake(const Poco::URI& uri, const WebSocketUpgrade& client) {
  std::string path = uri.getPathAndQuery();
  std::string head =
      "GET " + (path.empty() ? "/" : path) + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" +
      std::to_string(uri.getPort()) +
      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + client.key +
      "\r\nSec-WebSocket-Version: 13\r\n";
  if (!client.protocol.empty())
    head += "Sec-WebSocket-Protocol: " + client.protocol + "\r\n";
  if (!client.extensions.empty())
    head += "Sec-WebSocket-Extensions: " + client.extensions + "\r\n";
  return head + "\r\n";
}

} // namespace

Status dialWebSocket(const std::string& url, const WebSocketUpgrade& client,
                     std::chrono::milliseconds timeout, DialedWebSocket* out) {
  try {
    Poco::URI uri(url);
    if (uri.getScheme() != "ws" || uri.getHost().empty())
      return failed(url, "is not a ws:// URL");
    out->socket.connect(Poco::Net::SocketAddress(uri.getHost(), uri.getPort()),
                        toTimespan(timeout));
    out->socket.setNoDelay(true);
    out->socket.setSendTimeout(toTimespan(timeout));
    out->socket.setReceiveTimeout(toTimespan(timeout));
    std::string request = handshake(uri, client);
    out->socket.sendBytes(request.data(), static_cast<int>(request.size()));

    std::string received;
    std::size_t end = std::string::npos;
    char chunk[4096];
    while ((end = findHeadEnd(received)) == std::string::npos) {
      if (received.size() > kMaxHead)
        return failed(url, "answered with a head over 16 KiB");
      int got = out->socket.receiveBytes(chunk, sizeof chunk);
      if (got <= 0)
        return failed(url, "closed the connection during the handshake");
      received.append(chunk, static_cast<std::size_t>(got));
    }
    // The status is read from the line itself (Poco's status enum cannot hold any number).
    std::string_view head(received.data(), end);
    std::size_t lineEnd = head.find('\n');
    std::string_view statusLine = head.substr(0, lineEnd);
    if (statusLine.substr(0, 9) != "HTTP/1.1 " || statusLine.substr(9, 3) != "101") {
      std::string shown(statusLine.substr(0, 80));
      while (!shown.empty() && (shown.back() == '\r' || shown.back() == '\n'))
        shown.pop_back();
      std::string body = received.substr(end, 200);
      return failed(url, "refused the upgrade: " + shown + (body.empty() ? "" : " " + body));
    }
    Poco::Net::MessageHeader headers;
    headers.read(headStream(head.substr(lineEnd + 1)));
    if (Poco::icompare(headers.get("Upgrade", ""), "websocket") != 0 ||
        !headers.has("Sec-WebSocket-Accept"))
      return failed(url, "answered 101 without a websocket upgrade");
    out->acceptedHead = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
                        headers.get("Sec-WebSocket-Accept") + "\r\n";
    for (const char* name : {"Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions"})
      if (headers.has(name))
        out->acceptedHead += std::string(name) + ": " + headers.get(name) + "\r\n";
    out->acceptedHead += "\r\n";
    out->early = received.substr(end);
    return Status::ok();
  } catch (const Poco::Exception& e) {
    return failed(url, "cannot be reached: " + e.displayText());
  }
}

Status devToolsBrowserUrl(const std::string& httpBase, std::chrono::milliseconds timeout,
                          std::string* url) {
  HttpCallResult answer;
  Status status = httpCall("GET", httpBase + "/json/version", "", timeout, &answer);
  if (!status.isOk())
    return Status(ErrorCode::UnknownError,
                  "the browser's DevTools endpoint cannot be reached: " + status.message());
  rapidjson::Document doc;
  doc.Parse(answer.body.c_str(), answer.body.size());
  if (answer.status != 200 || doc.HasParseError() || !doc.IsObject() ||
      !doc.HasMember("webSocketDebuggerUrl") || !doc["webSocketDebuggerUrl"].IsString())
    return Status(ErrorCode::UnknownError,
                  "the browser's DevTools endpoint gave no webSocketDebuggerUrl (HTTP " +
                      std::to_string(answer.status) + ")");
  *url = doc["webSocketDebuggerUrl"].GetString();
  return Status::ok();
}

} // namespace wdh
