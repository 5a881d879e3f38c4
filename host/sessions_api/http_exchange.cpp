#include "sessions_api/http_exchange.h"

#include "http/socket_io.h"
#include "proxy/upstream_dial.h"

#include <Poco/InflatingStream.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/String.h>
#include <algorithm>
#include <istream>
#include <memory>
#include <mutex>

namespace wdh {
namespace {

using Clock = std::chrono::steady_clock;

// One TLS client context for the process: the system's CAs (OpenSSL's default paths, so
// SSL_CERT_FILE and SSL_CERT_DIR are honoured), peer and host name verified.
Poco::Net::Context::Ptr tlsContext() {
  static std::once_flag once;
  static Poco::Net::Context::Ptr context;
  std::call_once(once, [] {
    Poco::Net::initializeSSL();
    context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "",
                                     Poco::Net::Context::VERIFY_RELAXED, 9, true);
  });
  return context;
}

// An HTTPS session over a socket that is already connected (through an upstream's tunnel) and
// past its TLS handshake; Poco's own constructor for that refuses a connected socket.
class TunneledHttpsSession : public Poco::Net::HTTPSClientSession {
public:
  TunneledHttpsSession(const Poco::Net::SecureStreamSocket& socket, Poco::Net::Context::Ptr context)
      : HTTPSClientSession(std::move(context)) {
    attachSocket(socket);
  }
};

// What is left until `deadline`, at least 1 ms (Poco reads a zero timeout as none).
Poco::Timespan left(Clock::time_point deadline) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return Poco::Timespan(
      static_cast<Poco::Timespan::TimeDiff>(std::max<std::int64_t>(ms.count(), 1)) * 1000);
}

Status timedOut(const HttpExchangeRequest& request) {
  return Status(ErrorCode::Timeout,
                "the request took longer than " + std::to_string(request.timeout.count()) + " ms");
}

// Reads `in` into *out: at most `limit` bytes, until `deadline`; a stream that broke off (its
// buffer failed) is an error, not a short body.
Status readBounded(std::istream& in, std::size_t limit, Clock::time_point deadline,
                   const HttpExchangeRequest& request, std::string* out) {
  char buffer[16384];
  while (in) {
    if (Clock::now() > deadline)
      return timedOut(request);
    in.read(buffer, sizeof buffer);
    out->append(buffer, static_cast<std::size_t>(in.gcount()));
    if (out->size() > limit)
      return Status(ErrorCode::UnknownError,
                    "the response is larger than " + std::to_string(limit >> 20) + " MB");
  }
  if (in.bad())
    return Status(ErrorCode::UnknownError,
                  "the response broke off after " + std::to_string(out->size()) + " bytes");
  return Status::ok();
}

// The response body, decoded as its Content-Encoding says.
Status readBody(std::istream& raw, const Poco::Net::HTTPResponse& head,
                const HttpExchangeRequest& request, Clock::time_point deadline, std::string* out) {
  std::string encoding = Poco::toLower(head.get("Content-Encoding", ""));
  if (encoding == "gzip" || encoding == "x-gzip" || encoding == "deflate") {
    Poco::InflatingInputStream inflated(raw, encoding == "deflate"
                                                 ? Poco::InflatingStreamBuf::STREAM_ZLIB
                                                 : Poco::InflatingStreamBuf::STREAM_GZIP);
    return readBounded(inflated, request.maxBodyBytes, deadline, request, out);
  }
  Status status = readBounded(raw, request.maxBodyBytes, deadline, request, out);
  if (status.isOk() && head.hasContentLength() &&
      static_cast<std::streamsize>(out->size()) < head.getContentLength64())
    return Status(ErrorCode::UnknownError,
                  "the response broke off after " + std::to_string(out->size()) + " of " +
                      std::to_string(head.getContentLength64()) + " bytes");
  return status;
}

bool defaultPort(const Poco::URI& url) {
  return (url.getScheme() == "https" && url.getPort() == 443) ||
         (url.getScheme() == "http" && url.getPort() == 80);
}

// The Host header: an IPv6 literal in brackets, the port unless it is the scheme's own.
std::string hostHeader(const Poco::URI& url) {
  std::string host = url.getHost();
  if (host.find(':') != std::string::npos)
    host = "[" + host + "]";
  return defaultPort(url) ? host : host + ":" + std::to_string(url.getPort());
}

bool sameOrigin(const Poco::URI& a, const Poco::URI& b) {
  return a.getScheme() == b.getScheme() && Poco::icompare(a.getHost(), b.getHost()) == 0 &&
         a.getPort() == b.getPort();
}

void dropHeader(HeaderLines* lines, const char* name) {
  lines->erase(
      std::remove_if(lines->begin(), lines->end(),
                     [&](const auto& line) { return Poco::icompare(line.first, name) == 0; }),
      lines->end());
}

// One request and its response over a fresh connection (through the upstream).
Status oneHop(const HttpExchangeRequest& request, const Poco::URI& url, const std::string& method,
              const std::string& body, const HeaderLines& headers, Clock::time_point deadline,
              DocumentHop* hop, Poco::Net::HTTPResponse* head, std::string* out) {
  const bool tls = url.getScheme() == "https";
  Poco::Net::StreamSocket socket;
  std::string early;
  Status status = proxy::openTunnel(
      request.upstream, url.getHost(), url.getPort(), request.policy,
      boundsIn(std::chrono::milliseconds(left(deadline).totalMilliseconds()), -1), &socket, &early);
  if (!status.isOk())
    return status;
  if (!early.empty())
    return Status(ErrorCode::UnknownError, "the upstream proxy sent data before the request");
  socket.setBlocking(true);
  socket.setReceiveTimeout(left(deadline));
  socket.setSendTimeout(left(deadline));
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  if (tls)
    session = std::make_unique<TunneledHttpsSession>(
        Poco::Net::SecureStreamSocket::attach(socket, url.getHost(), tlsContext()), tlsContext());
  else
    session = std::make_unique<Poco::Net::HTTPClientSession>(socket);
  session->setTimeout(left(deadline));

  std::string target = url.getPathAndQuery().empty() ? "/" : url.getPathAndQuery();
  Poco::Net::HTTPRequest message(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
  message.set("Host", hostHeader(url));
  for (const auto& [name, value] : headers)
    message.add(name, value);
  std::string cookies = request.cookiesFor ? request.cookiesFor(url) : "";
  if (!cookies.empty())
    message.set("Cookie", cookies);
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH")
    message.setContentLength(static_cast<std::streamsize>(body.size()));
  message.set("Connection", "close");

  hop->url = url.toString();
  hop->method = method;
  for (const auto& [name, value] : message)
    hop->requestHeaders.emplace_back(name, value);
  std::ostream& sent = session->sendRequest(message);
  sent.write(body.data(), static_cast<std::streamsize>(body.size()));
  std::istream* received = &session->receiveResponse(*head);
  // Informational answers (103 Early Hints, ...) come before the real one.
  for (int informational = 0;
       informational < 8 && head->getStatus() / 100 == 1 &&
       head->getStatus() != Poco::Net::HTTPResponse::HTTP_SWITCHING_PROTOCOLS;
       ++informational)
    received = &session->receiveResponse(*head);
  hop->status = static_cast<int>(head->getStatus());
  for (const auto& [name, value] : *head)
    hop->responseHeaders.emplace_back(name, value);
  if (method == "HEAD" || hop->status == 204 || hop->status == 304)
    return Status::ok();
  return readBody(*received, *head, request, deadline, out);
}

bool isRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

} // namespace

Status httpExchange(const HttpExchangeRequest& request, HttpExchangeResult* out) {
  const auto deadline = Clock::now() + request.timeout;
  std::string method = request.method;
  std::string body = request.body;
  HeaderLines headers = request.headers;
  try {
    Poco::URI url(request.url);
    for (int hops = 0;; ++hops) {
      if (url.getScheme() != "http" && url.getScheme() != "https")
        return Status(ErrorCode::InvalidArgument,
                      "only http:// and https:// can be requested, not " + url.toString());
      if (request.allowed && !request.allowed(url.getHost()))
        return Status(ErrorCode::InvalidArgument,
                      url.getHost() + " is not among the session's allowed domains");
      if (Clock::now() > deadline)
        return timedOut(request);
      DocumentHop hop;
      Poco::Net::HTTPResponse head;
      std::string payload;
      Status status = oneHop(request, url, method, body, headers, deadline, &hop, &head, &payload);
      if (status.code() == ErrorCode::InvalidArgument) // refused by the target policy
        return hops == 0 ? status : status.withContext("the redirect to " + url.toString());
      if (!status.isOk())
        return status.withContext(url.getHost());
      if (request.received)
        request.received(url, head);
      out->chain.push_back(std::move(hop));
      int code = static_cast<int>(head.getStatus());
      if (!isRedirect(code) || !head.has("Location")) {
        out->body = std::move(payload);
        out->finalUrl = url.toString();
        return Status::ok();
      }
      if (hops >= request.maxRedirects)
        return Status(ErrorCode::UnknownError, "more than " + std::to_string(request.maxRedirects) +
                                                   " redirects from " + request.url);
      Poco::URI next(url, head.get("Location"));
      next.setFragment("");
      // 301/302 after a POST and every 303 go on as GET without a body, as browsers do.
      if (code == 303 || ((code == 301 || code == 302) && method == "POST")) {
        if (method != "HEAD")
          method = "GET";
        body.clear();
        dropHeader(&headers, "Content-Type");
      }
      // Credentials the client gave for one origin are not sent to another.
      if (!sameOrigin(next, url))
        dropHeader(&headers, "Authorization");
      url = next;
    }
  } catch (const Poco::Net::CertificateValidationException& e) {
    return Status(ErrorCode::InsecureCertificate, "the TLS certificate of " +
                                                      Poco::URI(request.url).getHost() +
                                                      " does not verify: " + e.displayText());
  } catch (const Poco::Net::SSLException& e) {
    return Status(ErrorCode::InsecureCertificate, "TLS failed: " + e.displayText());
  } catch (const Poco::TimeoutException&) {
    return timedOut(request);
  } catch (const Poco::Exception& e) {
    return Status(ErrorCode::UnknownError, "the request failed: " + e.displayText());
  } catch (const std::exception& e) {
    return Status(ErrorCode::UnknownError, std::string("the request failed: ") + e.what());
  }
}

} // namespace wdh
