#include "relay/upstream.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

namespace wdh {
namespace {

constexpr std::size_t kMaxIdleConnections = 4;

Poco::Timespan toTimespan(std::chrono::milliseconds timeout) {
  return Poco::Timespan(static_cast<long>(timeout.count() / 1000),
                        static_cast<long>((timeout.count() % 1000) * 1000));
}

} // namespace

Status Upstream::create(std::string_view baseUrl, std::unique_ptr<Upstream>* out) {
  std::string url(baseUrl);
  try {
    Poco::URI uri(url);
    if (uri.getScheme() != "http" || uri.getHost().empty() || uri.getPort() == 0)
      return Status(ErrorCode::InvalidArgument,
                    "the upstream must be http://host:port/..., not " + url);
    std::string path = uri.getPath();
    while (!path.empty() && path.back() == '/')
      path.pop_back();
    out->reset(new Upstream(url, uri.getHost(), uri.getPort(), path));
    return Status::ok();
  } catch (const Poco::Exception& e) {
    return Status(ErrorCode::InvalidArgument,
                  "the upstream URL " + url + " is not valid: " + e.displayText());
  }
}

Upstream::Upstream(std::string baseUrl, std::string host, std::uint16_t port,
                   std::string pathPrefix)
    : baseUrl_(std::move(baseUrl)), host_(std::move(host)), port_(port),
      pathPrefix_(std::move(pathPrefix)) {}

std::unique_ptr<Poco::Net::HTTPClientSession> Upstream::acquire(bool* reused) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      *reused = true;
      return connection;
    }
  }
  *reused = false;
  auto connection = std::make_unique<Poco::Net::HTTPClientSession>(host_, port_);
  connection->setKeepAlive(true);
  return connection;
}

void Upstream::release(std::unique_ptr<Poco::Net::HTTPClientSession> connection) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (idle_.size() < kMaxIdleConnections)
    idle_.push_back(std::move(connection));
}

Status Upstream::sendOnce(Poco::Net::HTTPClientSession& connection, std::string_view method,
                          const std::string& path, std::string_view body, RelayResponse* out,
                          bool* nothingReceived) {
  *nothingReceived = true;
  Poco::Net::HTTPRequest request(std::string(method), path, Poco::Net::HTTPMessage::HTTP_1_1);
  request.setKeepAlive(true);
  if (!body.empty() || method == "POST") {
    request.setContentType("application/json; charset=utf-8");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  std::ostream& requestBody = connection.sendRequest(request);
  requestBody.write(body.data(), static_cast<std::streamsize>(body.size()));
  Poco::Net::HTTPResponse response;
  std::istream& responseBody = connection.receiveResponse(response);
  *nothingReceived = false;
  out->status = static_cast<int>(response.getStatus());
  out->contentType = response.getContentType();
  out->body.clear();
  if (response.hasContentLength() && response.getContentLength64() > 0)
    out->body.reserve(static_cast<std::size_t>(response.getContentLength64()));
  Poco::StreamCopier::copyToString(responseBody, out->body);
  if (!response.getKeepAlive())
    connection.reset();
  return Status::ok();
}

Status Upstream::send(std::string_view method, std::string_view suffix, std::string_view body,
                      std::chrono::milliseconds timeout, RelayResponse* out) {
  std::string path = pathPrefix_;
  path.append(suffix);
  // A reused keep-alive connection may have been closed by the upstream while idle; then,
  // and only when nothing came back, the command is sent once more on a fresh connection.
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = false;
    auto connection = acquire(&reused);
    connection->setTimeout(toTimespan(timeout));
    bool nothingReceived = true;
    try {
      Status status = sendOnce(*connection, method, path, body, out, &nothingReceived);
      release(std::move(connection));
      return status;
    } catch (const Poco::TimeoutException&) {
      return Status(ErrorCode::UnknownError, "the browser's driver at " + host_ + ":" +
                                                 std::to_string(port_) + " did not answer " +
                                                 std::string(method) + " " + path + " within " +
                                                 std::to_string(timeout.count()) + " ms");
    } catch (const Poco::Exception& e) {
      if (reused && nothingReceived)
        continue;
      return Status(ErrorCode::UnknownError,
                    "the browser's driver at " + host_ + ":" + std::to_string(port_) + " failed " +
                        std::string(method) + " " + path + ": " + e.displayText());
    }
  }
  return Status(ErrorCode::UnknownError, "the browser's driver closed the connection twice");
}

} // namespace wdh
