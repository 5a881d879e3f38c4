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

// One TLS client context for the process: the system's CAs, peer and host name verified.
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

std::chrono::milliseconds remaining(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return std::max(left, std::chrono::milliseconds(0));
}

Poco::Timespan span(std::chrono::milliseconds ms) {
  return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(ms.count()) * 1000);
}

// Reads at most `limit` + 1 bytes of `in` into *out; false when there were more.
bool readBounded(std::istream& in, std::size_t limit, std::string* out) {
  char buffer[16384];
  while (in) {
    in.read(buffer, sizeof buffer);
    out->append(buffer, static_cast<std::size_t>(in.gcount()));
    if (out->size() > limit)
      return false;
  }
  return true;
}

// The response body, decoded as its Content-Encoding says.
Status readBody(std::istream& raw, const Poco::Net::HTTPResponse& head, std::size_t limit,
                std::string* out) {
  std::string encoding = Poco::toLower(head.get("Content-Encoding", ""));
  bool fits = true;
  if (encoding == "gzip" || encoding == "x-gzip" || encoding == "deflate") {
    Poco::InflatingInputStream inflated(raw, encoding == "deflate"
                                                 ? Poco::InflatingStreamBuf::STREAM_ZLIB
                                                 : Poco::InflatingStreamBuf::STREAM_GZIP);
    fits = readBounded(inflated, limit, out);
  } else {
    fits = readBounded(raw, limit, out);
  }
  if (!fits)
    return Status(ErrorCode::UnknownError,
                  "the response is larger than " + std::to_string(limit >> 20) + " MB");
  return Status::ok();
}

// One request and its response over a fresh connection (through the upstream).
Status oneHop(const HttpExchangeRequest& request, const Poco::URI& url, const std::string& method,
              const std::string& body, std::chrono::steady_clock::time_point deadline,
              DocumentHop* hop, Poco::Net::HTTPResponse* head, std::string* out) {
  const bool tls = url.getScheme() == "https";
  Poco::Net::StreamSocket socket;
  std::string early;
  Status status = proxy::openTunnel(request.upstream, url.getHost(), url.getPort(),
                                    boundsIn(remaining(deadline), -1), &socket, &early);
  if (!status.isOk())
    return status;
  if (!early.empty())
    return Status(ErrorCode::UnknownError, "the upstream proxy sent data before the request");
  socket.setBlocking(true);
  socket.setReceiveTimeout(span(remaining(deadline)));
  socket.setSendTimeout(span(remaining(deadline)));
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  if (tls)
    session = std::make_unique<Poco::Net::HTTPSClientSession>(
        Poco::Net::SecureStreamSocket::attach(socket, url.getHost(), tlsContext()));
  else
    session = std::make_unique<Poco::Net::HTTPClientSession>(socket);
  session->setTimeout(span(remaining(deadline)));

  std::string target = url.getPathEtc().empty() ? "/" : url.getPathEtc();
  Poco::Net::HTTPRequest message(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
  bool defaultPort = (tls && url.getPort() == 443) || (!tls && url.getPort() == 80);
  message.setHost(url.getHost(), url.getPort());
  if (defaultPort)
    message.set("Host", url.getHost());
  for (const auto& [name, value] : request.headers)
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
  std::istream& received = session->receiveResponse(*head);
  hop->status = static_cast<int>(head->getStatus());
  for (const auto& [name, value] : *head)
    hop->responseHeaders.emplace_back(name, value);
  return readBody(received, *head, request.maxBodyBytes, out);
}

bool isRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

} // namespace

Status httpExchange(const HttpExchangeRequest& request, HttpExchangeResult* out) {
  const auto deadline = std::chrono::steady_clock::now() + request.timeout;
  std::string method = request.method;
  std::string body = request.body;
  HttpExchangeRequest current = request;
  try {
    Poco::URI url(request.url);
    for (int hops = 0;; ++hops) {
      if (url.getScheme() != "http" && url.getScheme() != "https")
        return Status(ErrorCode::InvalidArgument,
                      "only http:// and https:// can be requested, not " + url.toString());
      if (current.allowed && !current.allowed(url.getHost()))
        return Status(ErrorCode::InvalidArgument,
                      url.getHost() + " is not among the session's allowed domains");
      DocumentHop hop;
      Poco::Net::HTTPResponse head;
      std::string payload;
      Status status = oneHop(current, url, method, body, deadline, &hop, &head, &payload);
      if (!status.isOk())
        return status.withContext(url.getHost());
      if (current.received)
        current.received(url, head);
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
      // 301/302 after a POST and every 303 go on as GET without a body, as browsers do.
      if (code == 303 || ((code == 301 || code == 302) && method == "POST")) {
        if (method != "HEAD")
          method = "GET";
        body.clear();
        current.headers.erase(std::remove_if(current.headers.begin(), current.headers.end(),
                                             [](const auto& line) {
                                               return Poco::toLower(line.first) == "content-type";
                                             }),
                              current.headers.end());
      }
      // Credentials the client gave for one site are not sent to another.
      if (next.getHost() != url.getHost() || next.getScheme() != url.getScheme())
        current.headers.erase(std::remove_if(current.headers.begin(), current.headers.end(),
                                             [](const auto& line) {
                                               return Poco::toLower(line.first) == "authorization";
                                             }),
                              current.headers.end());
      url = next;
    }
  } catch (const Poco::Net::CertificateValidationException& e) {
    return Status(ErrorCode::InsecureCertificate, "the TLS certificate of " +
                                                      Poco::URI(request.url).getHost() +
                                                      " does not verify: " + e.displayText());
  } catch (const Poco::Net::SSLException& e) {
    return Status(ErrorCode::InsecureCertificate,
                  "TLS with " + Poco::URI(request.url).getHost() + " failed: " + e.displayText());
  } catch (const Poco::TimeoutException&) {
    return Status(ErrorCode::Timeout, "the request took longer than " +
                                          std::to_string(request.timeout.count()) + " ms");
  } catch (const Poco::Exception& e) {
    return Status(ErrorCode::UnknownError, "the request failed: " + e.displayText());
  } catch (const std::exception& e) {
    return Status(ErrorCode::UnknownError, std::string("the request failed: ") + e.what());
  }
}

} // namespace wdh
