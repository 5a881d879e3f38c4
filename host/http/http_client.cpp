#include "http/http_client.h"

#include "core/time.h"

#include <Poco/Exception.h>
#include <Poco/InflatingStream.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/String.h>
#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>
#include <sstream>

namespace wdh {
namespace {

using Clock = std::chrono::steady_clock;

// How often a wait looks whether the call was cancelled.
constexpr std::chrono::milliseconds kSlice(250);

// A client session (plain, or TLS over a socket already connected) that tells whether it holds
// bytes already read, so that a wait for the socket is skipped when a read would not touch it.
class DeadlineSession : public Poco::Net::HTTPSClientSession {
public:
  // Over `socket` (connected; with `tls`, TLS is started on it for `host`).
  DeadlineSession(const Poco::Net::StreamSocket& socket, bool tls, const std::string& host)
      : HTTPSClientSession(tlsClientContext()), tls_(tls) {
    if (tls)
      attachSocket(Poco::Net::SecureStreamSocket::attach(socket, host, tlsClientContext()));
    else
      attachSocket(socket);
  }
  // Bytes read and not yet taken: the session's buffer, and TLS records already decrypted.
  std::streamsize pending() {
    return buffered() > 0 ? buffered() : static_cast<std::streamsize>(socket().available());
  }
  bool tls() const { return tls_; }

private:
  bool tls_;
};

// "METHOD scheme://host:port/path" for messages: no query, fragment or credentials (a
// redirect's query often carries a token, and messages reach clients and logs).
std::string callName(const HttpCallRequest& request) {
  std::string url = request.url.substr(0, request.url.find_first_of("?#"));
  std::size_t authority = url.find("://");
  authority = authority == std::string::npos ? 0 : authority + 3;
  std::size_t at = url.find('@', authority);
  if (at != std::string::npos && at < url.find('/', authority))
    url.erase(authority, at + 1 - authority);
  return request.method + " " + url;
}

Status timedOut(const HttpCallRequest& request, const std::string& what) {
  bool cancelled = request.cancelled && request.cancelled();
  return Status(ErrorCode::Timeout, callName(request) + ": " +
                                        (cancelled ? "cancelled" : "the deadline passed") +
                                        " while " + what);
}

// Waits until the session can read without blocking on nothing: bytes are buffered or the
// socket is readable. Timeout when the deadline passes or the call is cancelled first. Then
// the socket's next read is bounded by what is left of the deadline.
Status awaitReadable(DeadlineSession& session, const HttpCallRequest& request,
                     const std::string& what) {
  while (session.pending() <= 0) {
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
  session.socket().setReceiveTimeout(timespanUntil(request.deadline));
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
      if (buffer->sgetc() == std::char_traits<char>::eof()) { // at most one read of the socket
        if (length >= 0 && static_cast<Poco::Int64>(out->body.size()) < length)
          return Status(ErrorCode::UnknownError, callName(request) +
                                                     ": the response broke off after " +
                                                     std::to_string(out->body.size()) + " of " +
                                                     std::to_string(length) + " bytes");
        return Status::ok();
      }
    }
    std::streamsize available = std::min<std::streamsize>(buffer->in_avail(), sizeof chunk);
    std::streamsize got = buffer->sgetn(chunk, available);
    if (got <= 0)
      return Status::ok();
    if (out->body.size() + static_cast<std::size_t>(got) > request.maxBody)
      return Status(ErrorCode::UnknownError, callName(request) +
                                                 ": the response body is larger than " +
                                                 std::to_string(request.maxBody) + " bytes");
    out->body.append(chunk, static_cast<std::size_t>(got));
  }
}

// `raw` (a body of Content-Encoding `encoding`) decoded into `*out`, at most request.maxBody.
Status inflate(const std::string& raw, const std::string& encoding, const HttpCallRequest& request,
               std::string* out) {
  std::istringstream in(raw);
  Poco::InflatingInputStream inflated(in, encoding == "deflate"
                                              ? Poco::InflatingStreamBuf::STREAM_ZLIB
                                              : Poco::InflatingStreamBuf::STREAM_GZIP);
  char chunk[16384];
  while (inflated) {
    inflated.read(chunk, sizeof chunk);
    out->append(chunk, static_cast<std::size_t>(inflated.gcount()));
    if (out->size() > request.maxBody)
      return Status(ErrorCode::UnknownError, callName(request) +
                                                 ": the response body is larger than " +
                                                 std::to_string(request.maxBody) + " bytes");
  }
  if (inflated.bad())
    return Status(ErrorCode::UnknownError,
                  callName(request) + ": the " + encoding + " body is corrupt");
  return Status::ok();
}

} // namespace

Poco::Net::Context::Ptr tlsClientContext() {
  static std::once_flag once;
  static Poco::Net::Context::Ptr context;
  std::call_once(once, [] {
    Poco::Net::initializeSSL();
    context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "",
                                     Poco::Net::Context::VERIFY_RELAXED, 9, true);
  });
  return context;
}

Status httpCall(const HttpCallRequest& request, HttpCallResult* out) {
  const std::string what = callName(request);
  out->status = 0;
  out->body.clear();
  out->headers.clear();
  out->sentHeaders.clear();
  for (const auto& [name, value] : request.headers)
    if (!headerSafe(name, true) || !headerSafe(value, false) || framingHeader(name))
      return Status(ErrorCode::InvalidArgument,
                    what + ": the header '" + name +
                        "' is malformed or set by the host (Content-Length, Transfer-Encoding)");
  if (!headerSafe(request.method, true))
    return Status(ErrorCode::InvalidArgument, "the method '" + request.method + "' is malformed");
  try {
    Poco::URI uri(request.url);
    bool tls = uri.getScheme() == "https";
    if ((uri.getScheme() != "http" && !tls) || uri.getHost().empty())
      return Status(ErrorCode::InvalidArgument,
                    "only http:// and https:// URLs are supported: " + request.url);
    if (Clock::now() >= request.deadline || (request.cancelled && request.cancelled()))
      return timedOut(request, "not yet sent");
    Poco::Net::StreamSocket socket;
    if (request.connect) {
      Status connected = request.connect(uri, request.deadline, &socket);
      if (!connected.isOk())
        return connected;
      socket.setBlocking(true);
    } else {
      socket.connect(Poco::Net::SocketAddress(uri.getHost(), uri.getPort()),
                     timespanUntil(request.deadline));
    }
    socket.setSendTimeout(timespanUntil(request.deadline));
    socket.setReceiveTimeout(timespanUntil(request.deadline));
    DeadlineSession session(socket, tls, uri.getHost());
    Poco::Timespan span = timespanUntil(request.deadline);
    session.setTimeout(span, span, span);
    std::string path = uri.getPathAndQuery();
    Poco::Net::HTTPRequest head(request.method, path.empty() ? "/" : path,
                                Poco::Net::HTTPMessage::HTTP_1_1);
    head.setHost(uri.getHost(), uri.getPort());
    for (const auto& [name, value] : request.headers) {
      if (Poco::icompare(name, "Host") == 0)
        head.set(name, value);
      else
        head.add(name, value);
    }
    if (!request.body.empty()) {
      if (request.jsonBody)
        head.setContentType("application/json; charset=utf-8");
      head.setContentLength(static_cast<std::streamsize>(request.body.size()));
    } else if (request.method == "POST" || request.method == "PUT" || request.method == "PATCH") {
      head.setContentLength(0);
    }
    for (const auto& [name, value] : head)
      out->sentHeaders.emplace_back(name, value);
    std::ostream& requestBody = session.sendRequest(head);
    requestBody.write(request.body.data(), static_cast<std::streamsize>(request.body.size()));
    requestBody.flush();
    Poco::Net::HTTPResponse response;
    std::istream* responseBody = nullptr;
    // Informational answers (103 Early Hints, ...) come before the real one.
    for (int informational = 0; informational < 8; ++informational) {
      Status ready = awaitReadable(session, request, "waiting for the answer");
      if (!ready.isOk())
        return ready;
      response.clear();
      responseBody = &session.receiveResponse(response);
      if (response.getStatus() / 100 != 1 ||
          response.getStatus() == Poco::Net::HTTPResponse::HTTP_SWITCHING_PROTOCOLS)
        break;
    }
    out->status = static_cast<int>(response.getStatus());
    for (const auto& [name, value] : response)
      out->headers.emplace_back(name, value);
    if (response.hasContentLength() &&
        response.getContentLength64() > static_cast<Poco::Int64>(request.maxBody) &&
        !request.decodeBody)
      return Status(ErrorCode::UnknownError,
                    what + ": the response body (" + std::to_string(response.getContentLength64()) +
                        " bytes) is larger than " + std::to_string(request.maxBody) + " bytes");
    std::string encoding = Poco::toLower(response.get("Content-Encoding", ""));
    if (request.decodeBody &&
        (encoding == "gzip" || encoding == "x-gzip" || encoding == "deflate")) {
      // The raw body is read within the deadline and the cap first, then inflated within the
      // cap (an empty one, as a redirect or a 204 has, is nothing to inflate).
      HttpCallResult raw;
      Status read = readBody(session, *responseBody, request, knownLength(request, response), &raw);
      if (!read.isOk() || raw.body.empty())
        return read;
      return inflate(raw.body, encoding, request, &out->body);
    }
    return readBody(session, *responseBody, request, knownLength(request, response), out);
  } catch (const Poco::Net::CertificateValidationException& e) {
    return Status(ErrorCode::InsecureCertificate,
                  what + ": the TLS certificate does not verify: " + e.displayText());
  } catch (const Poco::Net::SSLException& e) {
    return Status(ErrorCode::InsecureCertificate, what + ": TLS failed: " + e.displayText());
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
