#include "sessions_api/http_exchange.h"

#include "http/http_client.h"
#include "http/socket_io.h"
#include "proxy/upstream_dial.h"

#include <Poco/Exception.h>
#include <Poco/String.h>
#include <algorithm>

namespace wdh {
namespace {

using Clock = std::chrono::steady_clock;

Status timedOut(const HttpExchangeRequest& request) {
  return Status(ErrorCode::Timeout,
                "the request took longer than " + std::to_string(request.timeout.count()) + " ms");
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

// One request and its response over a fresh connection through the upstream, by the host's
// one HTTP client (the body decoded as its Content-Encoding says).
Status oneHop(const HttpExchangeRequest& request, const Poco::URI& url, const std::string& method,
              const std::string& body, const HeaderLines& headers, Clock::time_point deadline,
              DocumentHop* hop, Poco::Net::HTTPResponse* head, std::string* out) {
  HttpCallRequest call;
  call.method = method;
  call.url = url.toString();
  call.headers.emplace_back("Host", hostHeader(url));
  for (const auto& line : headers)
    call.headers.push_back(line);
  std::string cookies = request.cookiesFor ? request.cookiesFor(url) : "";
  if (!cookies.empty())
    call.headers.emplace_back("Cookie", cookies);
  call.headers.emplace_back("Connection", "close");
  call.body = body;
  call.deadline = deadline;
  call.maxBody = request.maxBodyBytes;
  call.decodeBody = true;
  bool connected = false; // a timeout before it is the dial's own, which names the stage
  call.connect = [&request, &connected](const Poco::URI& target, Clock::time_point by,
                                        Poco::Net::StreamSocket* socket) {
    std::string early;
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(by - Clock::now());
    Status opened = proxy::openTunnel(
        request.upstream, target.getHost(), target.getPort(), request.policy,
        boundsIn(std::max(wait, std::chrono::milliseconds(1)), -1), socket, &early);
    if (opened.isOk() && !early.empty())
      return Status(ErrorCode::UnknownError, "the upstream proxy sent data before the request");
    connected = opened.isOk();
    return opened;
  };
  HttpCallResult result;
  Status status = httpCall(call, &result);
  hop->url = call.url;
  hop->method = method;
  hop->requestHeaders = std::move(result.sentHeaders);
  if (!status.isOk())
    return status.code() == ErrorCode::Timeout && connected ? timedOut(request) : status;
  hop->status = result.status;
  head->setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(result.status));
  for (const auto& [name, value] : result.headers) {
    head->add(name, value);
    hop->responseHeaders.emplace_back(name, value);
  }
  *out = std::move(result.body);
  return Status::ok();
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
  } catch (const Poco::Exception& e) {
    return Status(ErrorCode::UnknownError, "the request failed: " + e.displayText());
  } catch (const std::exception& e) {
    return Status(ErrorCode::UnknownError, std::string("the request failed: ") + e.what());
  }
}

} // namespace wdh
