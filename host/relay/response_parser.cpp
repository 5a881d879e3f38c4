#include "relay/response_parser.h"

#include "http/head_stream.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPResponse.h>

namespace wdh {
namespace {

constexpr std::size_t kMaxHead = 64 * 1024;
// A driver answer larger than this is refused (chromedriver caps its own messages alike).
constexpr std::size_t kMaxBody = std::size_t{256} << 20;

ParseState invalid(Status* error, std::string message) {
  *error = Status(ErrorCode::UnknownError, std::move(message));
  return ParseState::Invalid;
}

// The three-digit status code after the version on the status line, or 0.
int statusCodeOf(std::string_view head) {
  std::size_t space = head.find(' ');
  if (space == std::string_view::npos || head.size() < space + 4)
    return 0;
  int code = 0;
  for (std::size_t i = space + 1; i < space + 4; ++i) {
    if (head[i] < '0' || head[i] > '9')
      return 0;
    code = code * 10 + (head[i] - '0');
  }
  return code;
}

} // namespace

ParseState parseResponse(std::string_view bytes, bool peerClosed, bool headRequest,
                         ParsedResponse* out, Status* error) {
  std::size_t start = 0;
  for (;;) {
    std::string_view input = bytes.substr(start);
    std::size_t end = findHeadEnd(input);
    if (end == std::string_view::npos || end > kMaxHead) {
      if (input.size() > kMaxHead)
        return invalid(error, "the driver's response headers are larger than 64 KiB");
      if (peerClosed)
        return invalid(error, input.empty() ? "the driver closed the connection without "
                                              "answering"
                                            : "the driver's response ended inside its headers");
      return ParseState::Incomplete;
    }
    thread_local Poco::Net::HTTPResponse response; // reused: its storage outlives one answer
    try {
      response.clear();
      response.read(headStream(input.substr(0, end)));
    } catch (const Poco::Exception& e) {
      return invalid(error, "the driver's answer is not HTTP: " + e.displayText());
    }
    // The status comes from the line itself: Poco keeps it in an enum, which cannot hold
    // every three-digit code a driver may send.
    int status = statusCodeOf(input);
    if (response.getVersion().rfind("HTTP/1.", 0) != 0 || status < 100 || status > 999)
      return invalid(error, "the driver's answer is not HTTP/1.x: it starts with \"" +
                                response.getVersion() + " " + std::to_string(status) + "\"");
    if (status >= 100 && status < 200 && status != 101) {
      start += end; // an interim response; the final one follows
      continue;
    }
    std::string_view rest = input.substr(end);
    std::size_t bodyBytes = 0;
    bool keepAlive = response.getKeepAlive();
    try {
      if (headRequest || status == 204 || status == 304) {
        out->body.clear();
      } else if (response.getChunkedTransferEncoding()) {
        ParseState state = decodeChunked(rest, kMaxBody, &out->body, &bodyBytes, error);
        if (state == ParseState::Invalid)
          return invalid(error, "the driver's chunked body is not valid: " + error->message());
        if (state == ParseState::Incomplete)
          return peerClosed ? invalid(error, "the driver closed the connection inside its body")
                            : state;
      } else if (response.hasContentLength()) {
        auto length = response.getContentLength64();
        if (length < 0 || static_cast<std::uint64_t>(length) > kMaxBody)
          return invalid(error, "the driver's Content-Length is not usable");
        bodyBytes = static_cast<std::size_t>(length);
        if (rest.size() < bodyBytes)
          return peerClosed ? invalid(error, "the driver closed the connection inside its body")
                            : ParseState::Incomplete;
        out->body.assign(rest.data(), bodyBytes);
      } else {
        if (!peerClosed)
          return ParseState::Incomplete; // the body ends when the connection does
        out->body.assign(rest.data(), rest.size());
        bodyBytes = rest.size();
        keepAlive = false;
      }
    } catch (const Poco::Exception& e) {
      return invalid(error, "the driver's answer has bad framing: " + e.displayText());
    }
    out->status = status;
    out->contentType = response.get(Poco::Net::HTTPMessage::CONTENT_TYPE, std::string());
    out->keepAlive = keepAlive && !peerClosed;
    out->consumed = start + end + bodyBytes;
    return ParseState::Complete;
  }
}

} // namespace wdh
