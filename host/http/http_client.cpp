#include "relay/http_call.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/URI.h>
#include <algorithm>
#include <cctype>

namespace wdh {
namespace {

using Clock = std::chrono::steady_clock;

// How often a wait looks whether the call was cancelled.
constexpr std::chrono::milliseconds kSlice(250);

// A client session that tells whether it holds bytes already read from its socket, so that a
// wait for the socket is skipped when a read would not touch it.
class DeadlineSession : public Poco::Net::HTTPClientSession {
public:
  using Poco::Net::HTTPClientSession::buffered;
  using Poco::Net::HTTPClientSession::HTTPClientSession;
};

// What is left until `deadline`, at least 1 ms (Poco reads a zero timeout as none).
Poco::Timespan left(Clock::time_point deadline) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return Poco::Timespan(
      static_cast<Poco::Timespan::TimeDiff>(std::max<std::int64_t>(ms.count(), 1)) * 1000);
}

Status timedOut(const HttpCallRequest& request, const std::string& what) {
  bool cancelled = request.cancelled && request.cancelled();
  return Status(ErrorCode::Timeout, request.method + " " + request.url + ": " +
                                        (cancelled ? "cancelled" : "the deadline passed") +
                                        " while " + what);
}

// Waits until the session can read without blocking on nothing: bytes are buffered or the
// socket is readable. Timeout when the deadline passes or the call is cancelled first. Then
// the socket's next read is bounded by what is left of the deadline.
Status awaitReadable(DeadlineSession& session, const HttpCallRequest& request,
                     const std::string& what) {
  while (session.buffered() == 0) {
    if (request.cancelled && request.cancelled())
      return timedOut(request, what);
    auto now = Clock::now();
    if (now >= request.deadline)
      return timedOut(request, what);
    auto slice = std::min<Clock::duration>(kSlice, request.deadline - now);
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(slice).count();
    if (session.socket().poll(Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(us)),
                              Poco::Net::Socket::SELECT_READ | Poco::Net::Socket::SELECT_ERROR))
      break;
  }
  session.socket().setReceiveTimeout(left(request.deadline));
  return Status::ok();
}

// A header name or value a request may carry: no CR, LF or NUL (and no ':' in a name).
bool headerSafe(std::string_view text, bool name) {
  if (name && text.empty())
    return false;
  for (char c : text)
    if (c == '\r' || c == '\n' || c == '\0' || (name && (c == ':' || c == ' ')))
      return false;
  return true;
}

bool framingHeader(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower == "content-length" || lower == "transfer-encoding";
}

// The length of the response body when the head tells it (Poco's stream then ends there
// without reading the socket again), or -1 when it ends with the chunks or the connection.
Poco::Int64 knownLength(const HttpCallRequest& request, const Poco::Net::HTTPResponse& head) {
  int status = static_cast<int>(head.getStatus());
  if (request.method == "HEAD" || status < 200 || status == 204 || status == 304)
    return 0;
  if (head.getChunkedTransferEncoding() || !head.hasContentLength())
    return -1;
  return head.getContentLength64();
}

// Reads the response body into out->body, one socket read at a time, within the deadline and
// the cap.
Status readBody(DeadlineSession& session, std::istream& in, const HttpCallRequest& request,
                Poco::Int64 length, HttpCallResult* out) {
  std::streambuf* buffer = in.rdbuf();
  char chunk[16384];
  for (;;) {
    if (length >= 0 && static_cast<Poco::Int64>(out->body.size()) >= length)
      return Status::ok(); // all of it: no wait for bytes that will not come
    if (buffer->in_avail() <= 0) {
      Status ready = awaitReadable(session, request, "reading the body");
      if (!ready.isOk())
        return ready;
      if (Clock::now() >= request.deadline)
        return timedOut(request, "reading the body");
      if (buffer->sgetc() == std::char_traits<char>::eof()) // at most one read of the socket
        return Status::ok();
    }
    std::streamsize available = std::min<std::streamsize>(buffer->in_avail(), sizeof chunk);
    std::streamsize got = buffer->sgetn(chunk, available);
    if (got <= 0)
      return Status::ok();
    if (out->body.size() + static_cast<std::size_t>(got) > request.maxBody)
      return Status(ErrorCode::UnknownError, request.method + " " + request.url +
                                                 ": the response body is larger than " +
                                                 std::to_string(request.maxBody) + " bytes");
    out->body.append(chunk, static_cast<std::size_t>(got));
  }
}

} // namespace

Status httpCall(const HttpCallRequest& request, HttpCallResult* out) {
  const std::string what = request.method + " " + request.url;
  out->status = 0;
  out->body.clear();
  out->headers.clear();
  for (const auto& [name, value] : request.headers)
    if (!headerSafe(name, true) || !headerSafe(value, false) || framingHeader(name))
      return Status(ErrorCode::InvalidArgument,
                    what + ": the header '" + name +
                        "' is malformed or set by the host (Content-Length, Transfer-Encoding)");
  if (!headerSafe(request.method, true))
    return Status(ErrorCode::InvalidArgument, "the method '" + request.method + "' is malformed");
  try {
    Poco::URI uri(request.url);
    if (uri.getScheme() != "http" || uri.getHost().empty())
      return Status(ErrorCode::InvalidArgument, "only http:// URLs are supported: " + request.url);
    if (Clock::now() >= request.deadline || (request.cancelled && request.cancelled()))
      return timedOut(request, "not yet sent");
    DeadlineSession session(uri.getHost(), uri.getPort());
    Poco::Timespan span = left(request.deadline);
    session.setTimeout(span, span, span);
    std::string path = uri.getPathAndQuery();
    Poco::Net::HTTPRequest head(request.method, path.empty() ? "/" : path,
                                Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [name, value] : request.headers)
      head.add(name, value);
    if (!request.body.empty()) {
      if (request.jsonBody)
        head.setContentType("application/json; charset=utf-8");
      head.setContentLength(static_cast<std::streamsize>(request.body.size()));
    } else if (request.method == "POST" || request.method == "PUT") {
      head.setContentLength(0);
    }
    std::ostream& requestBody = session.sendRequest(head);
    session.socket().setSendTimeout(left(request.deadline));
    requestBody.write(request.body.data(), static_cast<std::streamsize>(request.body.size()));
    requestBody.flush();
    Status ready = awaitReadable(session, request, "waiting for the answer");
    if (!ready.isOk())
      return ready;
    Poco::Net::HTTPResponse response;
    std::istream& responseBody = session.receiveResponse(response);
    out->status = static_cast<int>(response.getStatus());
    for (const auto& [name, value] : response)
      out->headers.emplace_back(name, value);
    if (response.hasContentLength() &&
        response.getContentLength64() > static_cast<Poco::Int64>(request.maxBody))
      return Status(ErrorCode::UnknownError,
                    what + ": the response body (" + std::to_string(response.getContentLength64()) +
                        " bytes) is larger than " + std::to_string(request.maxBody) + " bytes");
    return readBody(session, responseBody, request, knownLength(request, response), out);
  } catch (const Poco::TimeoutException&) {
    return timedOut(request, "waiting on the connection");
  } catch (const Poco::Exception& e) {
    return Status(ErrorCode::UnknownError, what + ": " + e.displayText());
  } catch (const std::exception& e) {
    return Status(ErrorCode::UnknownError, what + ": " + e.what());
  }
}

Status httpCall(std::string_view method, std::string_view url, std::string_view body,
                std::chrono::milliseconds timeout, HttpCallResult* out) {
  HttpCallRequest request;
  request.method = std::string(method);
  request.url = std::string(url);
  request.body = std::string(body);
  request.jsonBody = true;
  request.deadline = Clock::now() + timeout;
  return httpCall(request, out);
}

} // namespace wdh
