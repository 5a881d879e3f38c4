#include "http_client.h"

#include <Poco/Exception.h>
#include <Poco/Net/SocketAddress.h>
#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace bench {
namespace {

// Case-insensitive search of header `name` in the header block; returns its value or "".
std::string_view headerValue(std::string_view head, std::string_view name) {
  std::size_t at = 0;
  while ((at = head.find("\r\n", at)) != std::string_view::npos) {
    at += 2;
    if (head.size() - at < name.size() + 1)
      return {};
    bool same = true;
    for (std::size_t i = 0; i < name.size() && same; ++i)
      same = std::tolower(static_cast<unsigned char>(head[at + i])) ==
             std::tolower(static_cast<unsigned char>(name[i]));
    if (same && head[at + name.size()] == ':') {
      std::size_t start = at + name.size() + 1;
      std::size_t end = head.find("\r\n", start);
      std::string_view value = head.substr(start, end - start);
      while (!value.empty() && value.front() == ' ')
        value.remove_prefix(1);
      return value;
    }
  }
  return {};
}

bool equalsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

} // namespace

HttpConnection::HttpConnection(int port, std::chrono::milliseconds timeout)
    : port_(port), timeout_(timeout) {
  out_.reserve(512);
  in_.reserve(4096);
}

void HttpConnection::setTimeout(std::chrono::milliseconds timeout) {
  timeout_ = timeout;
  if (connected_)
    socket_.setReceiveTimeout(
        Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(timeout_.count()) * 1000));
}

void HttpConnection::connect() {
  Poco::Timespan timeout(static_cast<Poco::Timespan::TimeDiff>(timeout_.count()) * 1000);
  socket_ = Poco::Net::StreamSocket();
  socket_.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port_)),
                  Poco::Timespan(5, 0));
  socket_.setNoDelay(true);
  socket_.setReceiveTimeout(timeout);
  socket_.setSendTimeout(timeout);
  connected_ = true;
  in_.clear();
}

void HttpConnection::readMore() {
  char buffer[16384];
  int got = socket_.receiveBytes(buffer, sizeof buffer);
  if (got <= 0)
    throw std::runtime_error("the server closed the connection");
  in_.append(buffer, static_cast<std::size_t>(got));
}

int HttpConnection::request(std::string_view method, std::string_view path, std::string_view body,
                            std::string* answer) {
  try {
    if (!connected_)
      connect();
    out_.clear();
    out_.append(method).append(" ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1:");
    out_.append(std::to_string(port_)).append("\r\n");
    if (!body.empty() || method == "POST") {
      out_.append("Content-Type: application/json; charset=utf-8\r\nContent-Length: ");
      out_.append(std::to_string(body.size())).append("\r\n");
    }
    out_.append("\r\n").append(body);
    int sent = socket_.sendBytes(out_.data(), static_cast<int>(out_.size()));
    if (sent != static_cast<int>(out_.size()))
      throw std::runtime_error("short send");

    std::size_t headEnd;
    while ((headEnd = in_.find("\r\n\r\n")) == std::string::npos)
      readMore();
    std::string_view head(in_.data(), headEnd + 2);
    if (head.size() < 12 || head.substr(0, 5) != "HTTP/")
      throw std::runtime_error("not an HTTP answer");
    int status = std::stoi(std::string(head.substr(9, 3)));
    bool closeAfter = equalsNoCase(headerValue(head, "Connection"), "close");
    std::size_t bodyStart = headEnd + 4;
    answer->clear();
    std::string_view length = headerValue(head, "Content-Length");
    if (!length.empty()) {
      std::size_t size = std::stoul(std::string(length));
      while (in_.size() < bodyStart + size)
        readMore();
      answer->assign(in_, bodyStart, size);
      in_.erase(0, bodyStart + size);
    } else if (equalsNoCase(headerValue(head, "Transfer-Encoding"), "chunked")) {
      std::size_t at = bodyStart;
      while (true) {
        std::size_t lineEnd;
        while ((lineEnd = in_.find("\r\n", at)) == std::string::npos)
          readMore();
        std::size_t chunk = std::stoul(in_.substr(at, lineEnd - at), nullptr, 16);
        while (in_.size() < lineEnd + 2 + chunk + 2)
          readMore();
        answer->append(in_, lineEnd + 2, chunk);
        at = lineEnd + 2 + chunk + 2;
        if (chunk == 0)
          break;
      }
      in_.erase(0, at);
    } else {
      closeAfter = true; // the body ends with the connection
      try {
        while (true)
          readMore();
      } catch (const std::runtime_error&) {
      }
      answer->assign(in_, bodyStart, std::string::npos);
      in_.clear();
    }
    if (closeAfter) {
      socket_.close();
      connected_ = false;
    }
    return status;
  } catch (const Poco::Exception& e) {
    connected_ = false;
    throw std::runtime_error("HTTP " + std::string(method) + " " + std::string(path) + " on port " +
                             std::to_string(port_) + ": " + e.displayText());
  } catch (const std::runtime_error& e) {
    connected_ = false;
    throw std::runtime_error("HTTP " + std::string(method) + " " + std::string(path) + " on port " +
                             std::to_string(port_) + ": " + e.what());
  }
}

int httpOnce(int port, std::string_view method, std::string_view path, std::string_view body,
             std::string* answer, std::chrono::milliseconds timeout) {
  HttpConnection connection(port, timeout);
  return connection.request(method, path, body, answer);
}

std::string jsonString(std::string_view json, std::string_view key) {
  std::string quoted = "\"" + std::string(key) + "\"";
  std::size_t at = json.find(quoted);
  if (at == std::string_view::npos)
    return {};
  std::size_t open = json.find('"', json.find(':', at + quoted.size()));
  std::size_t close = open == std::string_view::npos ? open : json.find('"', open + 1);
  if (close == std::string_view::npos)
    return {};
  return std::string(json.substr(open + 1, close - open - 1));
}

} // namespace bench
