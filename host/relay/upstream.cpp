#include "relay/upstream.h"

#include "core/time.h"
#include "relay/relay_call.h"

#include <Poco/Exception.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/URI.h>

namespace wdh {
namespace {

constexpr std::size_t kMaxIdleConnections = 4;

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
    out->reset(new Upstream(uri.getHost(), uri.getPort(), path));
    return Status::ok();
  } catch (const Poco::Exception& e) {
    return Status(ErrorCode::InvalidArgument,
                  "the upstream URL " + url + " is not valid: " + e.displayText());
  }
}

Upstream::Upstream(std::string host, std::uint16_t port, std::string pathPrefix)
    : host_(std::move(host)), port_(port), pathPrefix_(std::move(pathPrefix)) {
  bool ipv6 = host_.find(':') != std::string::npos;
  hostHeader_ =
      "Host: " + (ipv6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_) + "\r\n";
}

void Upstream::requestHead(std::string_view method, std::string_view suffix, std::size_t bodySize,
                           std::string* head) const {
  head->clear();
  head->append(method);
  head->push_back(' ');
  head->append(pathPrefix_);
  head->append(suffix);
  head->append(" HTTP/1.1\r\n");
  head->append(hostHeader_);
  if (bodySize > 0 || method == "POST" || method == "PUT" || method == "PATCH") {
    head->append("Content-Type: application/json; charset=utf-8\r\nContent-Length: ");
    head->append(std::to_string(bodySize));
    head->append("\r\n");
  }
  head->append("\r\n");
}

Status Upstream::checkout(std::unique_ptr<UpstreamConnection>* out, bool* reused,
                          bool* connecting) {
  *connecting = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!idle_.empty()) {
      *out = std::move(idle_.back());
      idle_.pop_back();
      *reused = true;
      return Status::ok();
    }
  }
  *reused = false;
  return UpstreamConnection::open(host_, port_, out, connecting);
}

void Upstream::checkin(std::unique_ptr<UpstreamConnection> connection) {
  if (!connection->reusable())
    return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (idle_.size() < kMaxIdleConnections)
    idle_.push_back(std::move(connection));
}

std::string Upstream::failure(std::string_view method, std::string_view suffix,
                              const std::string& cause) const {
  std::string message = "the browser's driver at " + host_ + ":" + std::to_string(port_) +
                        " failed " + std::string(method) + " " + pathPrefix_ + std::string(suffix);
  if (!cause.empty())
    message.append(": " + cause);
  return message;
}

std::string Upstream::noAnswer(std::string_view method, std::string_view suffix,
                               std::chrono::milliseconds timeout) const {
  return "the browser's driver at " + host_ + ":" + std::to_string(port_) + " did not answer " +
         std::string(method) + " " + pathPrefix_ + std::string(suffix) + " within " +
         std::to_string(timeout.count()) + " ms";
}

bool Upstream::refusesConnections(std::chrono::milliseconds timeout) const {
  try {
    Poco::Net::StreamSocket probe;
    probe.connect(Poco::Net::SocketAddress(host_, port_), toTimespan(timeout));
    return false;
  } catch (const Poco::Net::ConnectionRefusedException&) {
    return true;
  } catch (const Poco::Exception&) {
    return false;
  }
}

Status Upstream::send(std::string_view method, std::string_view suffix, std::string_view body,
                      std::chrono::milliseconds timeout, RelayResponse* out) {
  RelayCall call;
  call.prepare(this, method, suffix, std::string(body), timeout);
  return call.run(out);
}

} // namespace wdh
