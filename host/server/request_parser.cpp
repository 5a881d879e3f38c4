#include "server/request_parser.h"

#include "http/head_stream.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/String.h>
#include <cstring>

namespace wdh {
namespace {

constexpr std::size_t kNotFound = std::string_view::npos;

ParseState invalid(Status* error, std::string message) {
  *error = Status(ErrorCode::InvalidArgument, std::move(message));
  return ParseState::Invalid;
}

// True when the comma-separated `list` holds `token` (case-insensitive).
bool listsToken(const std::string& list, std::string_view token) {
  std::size_t at = 0;
  while (at <= list.size()) {
    std::size_t end = list.find(',', at);
    if (end == std::string::npos)
      end = list.size();
    std::string item = Poco::trim(list.substr(at, end - at));
    if (Poco::icompare(item, std::string(token)) == 0)
      return true;
    at = end + 1;
  }
  return false;
}

void readUpgrade(const Poco::Net::HTTPRequest& request, WebSocketUpgrade* out) {
  static const std::string kUpgrade = "Upgrade";
  if (!request.has(kUpgrade)) {
    out->requested = false;
    return;
  }
  out->requested = Poco::icompare(request.get(kUpgrade), "websocket") == 0;
  out->connectionUpgrade =
      listsToken(request.get(Poco::Net::HTTPMessage::CONNECTION, std::string()), "upgrade");
  out->key = request.get("Sec-WebSocket-Key", std::string());
  out->version = request.get("Sec-WebSocket-Version", std::string());
  out->protocol = request.get("Sec-WebSocket-Protocol", std::string());
  out->extensions = request.get("Sec-WebSocket-Extensions", std::string());
}

} // namespace

ParseState parseRequest(std::string_view bytes, const RequestLimits& limits, Request* out,
                        Status* error) {
  std::size_t start = 0;
  while (start < bytes.size() && (bytes[start] == '\r' || bytes[start] == '\n'))
    ++start;
  std::string_view input = bytes.substr(start);
  std::size_t end = findHeadEnd(input);
  if (end == kNotFound)
    return input.size() > limits.maxHeadSize
               ? invalid(error, "the request line and headers are larger than the " +
                                    std::to_string(limits.maxHeadSize) + " bytes this host reads")
               : ParseState::Incomplete;
  if (end > limits.maxHeadSize)
    return invalid(error, "the request line and headers are larger than the " +
                              std::to_string(limits.maxHeadSize) + " bytes this host reads");

  thread_local Poco::Net::HTTPRequest request; // reused: its storage outlives one request
  try {
    request.clear();
    request.read(headStream(input.substr(0, end)));
  } catch (const Poco::Exception& e) {
    return invalid(error, "this is not an HTTP/1.1 request: " + e.displayText());
  }
  const std::string& version = request.getVersion();
  if (version != Poco::Net::HTTPMessage::HTTP_1_1 && version != Poco::Net::HTTPMessage::HTTP_1_0)
    return invalid(error, "HTTP version " + version + " is not served; use HTTP/1.1");
  if (request.getURI().empty() || request.getMethod().empty())
    return invalid(error, "the request line needs a method and a target");

  // The head is known before the body: the handler may refuse the request on it, so that no
  // body is buffered for a client that may not send one.
  out->method = request.getMethod();
  out->target = request.getURI();
  out->authorization = request.get(Poco::Net::HTTPRequest::AUTHORIZATION, std::string());
  out->host = request.get(Poco::Net::HTTPRequest::HOST, std::string());
  out->accept = request.get("Accept", std::string());
  out->cookie = request.get("Cookie", std::string());
  out->csrfToken = request.get("X-Wdhost-Csrf", std::string());
  out->contentType = request.get("Content-Type", std::string());
  out->origin = request.get("Origin", std::string());
  out->secFetchSite = request.get("Sec-Fetch-Site", std::string());
  out->secFetchMode = request.get("Sec-Fetch-Mode", std::string());
  out->range = request.get("Range", std::string());
  readUpgrade(request, &out->upgrade);
  out->http10 = version == Poco::Net::HTTPMessage::HTTP_1_0;
  out->keepAlive = request.getKeepAlive();
  out->contentLength = 0;
  out->headComplete = true;

  std::string_view rest = input.substr(end);
  std::size_t bodyBytes = 0;
  out->body.clear();
  out->expectsContinue = false;
  try {
    if (request.getChunkedTransferEncoding()) {
      ParseState state = decodeChunked(rest, limits.maxBodySize, &out->body, &bodyBytes, error);
      if (state != ParseState::Complete) {
        out->expectsContinue = request.getExpectContinue();
        return state;
      }
    } else if (request.has(Poco::Net::HTTPMessage::TRANSFER_ENCODING)) {
      return invalid(error, "Transfer-Encoding \"" +
                                request.get(Poco::Net::HTTPMessage::TRANSFER_ENCODING) +
                                "\" is not supported; send Content-Length or chunked");
    } else if (request.hasContentLength()) {
      auto length = request.getContentLength64();
      if (length < 0)
        return invalid(error, "Content-Length must not be negative");
      if (static_cast<std::uint64_t>(length) > limits.maxBodySize)
        return invalid(error, "the request body is " + std::to_string(length) +
                                  " bytes; this host accepts at most " +
                                  std::to_string(limits.maxBodySize) + " (--max-body-size)");
      bodyBytes = static_cast<std::size_t>(length);
      out->contentLength = bodyBytes;
      if (rest.size() < bodyBytes) {
        out->expectsContinue = request.getExpectContinue();
        return ParseState::Incomplete;
      }
      out->body.assign(rest.data(), bodyBytes);
    }
  } catch (const Poco::Exception& e) {
    return invalid(error, "the request's body framing is not valid: " + e.displayText());
  }
  out->consumed = start + end + bodyBytes;
  return ParseState::Complete;
}

} // namespace wdh
