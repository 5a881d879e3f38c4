// The proxy tests' servers: deliberately simple, blocking, and independent of wdh_proxy's code.
#include "support/proxy_test_servers.h"

#include <Poco/Base64Encoder.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocketImpl.h>
#include <algorithm>
#include <cctype>
#include <dirent.h>
#include <poll.h>
#include <sstream>
#include <sys/socket.h>

namespace wdhtest {
namespace {

using Poco::Net::StreamSocket;

const Poco::Timespan kTimeout(5, 0);

class OriginHandler : public Poco::Net::HTTPRequestHandler {
public:
  explicit OriginHandler(std::shared_ptr<std::atomic<int>> count) : count_(std::move(count)) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    count_->fetch_add(1);
    std::string body =
        "origin " + request.getMethod() + " " + request.getURI() + " host=" + request.getHost();
    response.setContentType("text/plain");
    response.setContentLength(static_cast<std::streamsize>(body.size()));
    response.send() << body;
  }

private:
  std::shared_ptr<std::atomic<int>> count_;
};

class OriginFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
  explicit OriginFactory(std::shared_ptr<std::atomic<int>> count) : count_(std::move(count)) {}
  Poco::Net::HTTPRequestHandler*
  createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new OriginHandler(count_);
  }

private:
  std::shared_ptr<std::atomic<int>> count_;
};

int fdOf(const Poco::Net::Socket& s) {
  return s.impl()->sockfd();
}

bool readHead(StreamSocket& s, std::string* head, std::string* rest) {
  std::string data;
  char buf[1024];
  while (data.find("\r\n\r\n") == std::string::npos) {
    int n = s.receiveBytes(buf, sizeof buf);
    if (n <= 0)
      return false;
    data.append(buf, static_cast<size_t>(n));
  }
  size_t end = data.find("\r\n\r\n") + 4;
  *head = data.substr(0, end);
  *rest = data.substr(end);
  return true;
}

bool readExact(StreamSocket& s, std::string* out, size_t n) {
  out->clear();
  char buf[512];
  while (out->size() < n) {
    int got = s.receiveBytes(buf, static_cast<int>(std::min(sizeof buf, n - out->size())));
    if (got <= 0)
      return false;
    out->append(buf, static_cast<size_t>(got));
  }
  return true;
}

bool readUntilNul(StreamSocket& s, std::string* out) {
  out->clear();
  char c = 0;
  while (out->size() < 512) {
    if (s.receiveBytes(&c, 1) != 1)
      return false;
    if (c == '\0')
      return true;
    out->push_back(c);
  }
  return false;
}

void sendAll(StreamSocket& s, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    int n = s.sendBytes(data.data() + done, static_cast<int>(data.size() - done));
    if (n <= 0)
      return;
    done += static_cast<size_t>(n);
  }
}

// Copies both ways until both directions end, a side fails, or `stopping`.
void relay(StreamSocket& a, StreamSocket& b, const std::atomic<bool>& stopping) {
  bool aOpen = true;
  bool bOpen = true;
  char buf[8192];
  while ((aOpen || bOpen) && !stopping.load()) {
    pollfd fds[2] = {{fdOf(a), static_cast<short>(aOpen ? POLLIN : 0), 0},
                     {fdOf(b), static_cast<short>(bOpen ? POLLIN : 0), 0}};
    int n = ::poll(fds, 2, 100);
    if (n < 0)
      return;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].revents == 0)
        continue;
      StreamSocket& from = i == 0 ? a : b;
      StreamSocket& to = i == 0 ? b : a;
      int got = from.receiveBytes(buf, sizeof buf);
      if (got <= 0) {
        (i == 0 ? aOpen : bOpen) = false;
        to.shutdownSend();
        if (i == 1)
          return; // the origin side ended: done
        continue;
      }
      sendAll(to, std::string(buf, static_cast<size_t>(got)));
    }
  }
}

StreamSocket connectLocal(uint16_t port) {
  StreamSocket s;
  s.connect(Poco::Net::SocketAddress("127.0.0.1", port), kTimeout);
  s.setReceiveTimeout(kTimeout);
  return s;
}

std::string headerValue(const std::string& head, std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), ::tolower);
  std::istringstream lines(head);
  std::string line;
  while (std::getline(lines, line)) {
    size_t colon = line.find(':');
    if (colon == std::string::npos)
      continue;
    std::string key = line.substr(0, colon);
    std::transform(key.begin(), key.end(), key.begin(), ::tolower);
    if (key != name)
      continue;
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' '))
      value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == ' '))
      value.pop_back();
    return value;
  }
  return "";
}

std::string basic(const std::string& user, const std::string& password) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out);
  encoder.rdbuf()->setLineLength(0);
  encoder << user << ":" << password;
  encoder.close();
  return "Basic " + out.str();
}

uint16_t portAfterColon(const std::string& authority) {
  size_t colon = authority.rfind(':');
  return static_cast<uint16_t>(std::stoi(authority.substr(colon + 1)));
}

void record(UpstreamLog& log, const std::string& target, bool ok) {
  std::lock_guard<std::mutex> lock(log.mutex);
  if (ok) {
    ++log.authenticated;
    log.targets.push_back(target);
  } else {
    ++log.rejected;
  }
}

void serveHttpUpstream(StreamSocket& client, UpstreamLog& log, const std::string& expected,
                       const std::atomic<bool>& stopping) {
  std::string head;
  std::string rest;
  if (!readHead(client, &head, &rest))
    return;
  std::string line = head.substr(0, head.find("\r\n"));
  std::string method = line.substr(0, line.find(' '));
  std::string target = line.substr(method.size() + 1, line.rfind(' ') - method.size() - 1);
  if (headerValue(head, "Proxy-Authorization") != expected) {
    record(log, target, false);
    sendAll(client, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic "
                    "realm=\"test\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    return;
  }
  if (method == "CONNECT") {
    record(log, target.substr(0, target.rfind(':')), true);
    StreamSocket origin = connectLocal(portAfterColon(target));
    sendAll(client, "HTTP/1.1 200 Connection established\r\n\r\n");
    sendAll(origin, rest);
    relay(client, origin, stopping);
    return;
  }
  // "http://host:port/path"
  std::string authority = target.substr(7, target.find('/', 7) - 7);
  record(log, authority.substr(0, authority.rfind(':')), true);
  StreamSocket origin = connectLocal(portAfterColon(authority));
  std::string forwarded;
  std::istringstream lines(head);
  std::string field;
  while (std::getline(lines, field)) {
    if (field.rfind("Proxy-Authorization", 0) != 0)
      forwarded += field + "\n";
  }
  sendAll(origin, forwarded + rest);
  relay(client, origin, stopping);
}

void serveSocks5(StreamSocket& client, UpstreamLog& log, const std::string& user,
                 const std::string& password, const std::atomic<bool>& stopping) {
  std::string bytes;
  if (!readExact(client, &bytes, 2) || bytes[0] != 5)
    return;
  std::string methods;
  if (!readExact(client, &methods, static_cast<unsigned char>(bytes[1])))
    return;
  if (methods.find('\x02') == std::string::npos) {
    record(log, "", false);
    sendAll(client, std::string("\x05\xff", 2));
    return;
  }
  sendAll(client, std::string("\x05\x02", 2));
  std::string gotUser;
  std::string gotPassword;
  if (!readExact(client, &bytes, 2) ||
      !readExact(client, &gotUser, static_cast<unsigned char>(bytes[1])) ||
      !readExact(client, &bytes, 1) ||
      !readExact(client, &gotPassword, static_cast<unsigned char>(bytes[0])))
    return;
  if (gotUser != user || gotPassword != password) {
    record(log, "", false);
    sendAll(client, std::string("\x01\x01", 2));
    return;
  }
  sendAll(client, std::string("\x01\x00", 2));
  if (!readExact(client, &bytes, 4) || bytes[1] != 1)
    return;
  std::string name;
  if (bytes[3] == 3) {
    std::string len;
    if (!readExact(client, &len, 1) ||
        !readExact(client, &name, static_cast<unsigned char>(len[0])))
      return;
  } else if (bytes[3] == 1) {
    std::string ip;
    if (!readExact(client, &ip, 4))
      return;
    name = "ipv4";
  } else {
    return;
  }
  std::string port;
  if (!readExact(client, &port, 2))
    return;
  record(log, name, true);
  uint16_t p = static_cast<uint16_t>(static_cast<unsigned char>(port[0]) << 8 |
                                     static_cast<unsigned char>(port[1]));
  StreamSocket origin = connectLocal(p);
  sendAll(client, std::string("\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00", 10));
  relay(client, origin, stopping);
}

void serveSocks4(StreamSocket& client, UpstreamLog& log, const std::string& user,
                 const std::atomic<bool>& stopping) {
  std::string head;
  if (!readExact(client, &head, 8) || head[0] != 4 || head[1] != 1)
    return;
  std::string gotUser;
  if (!readUntilNul(client, &gotUser))
    return;
  std::string name = "ipv4";
  if (head[4] == 0 && head[5] == 0 && head[6] == 0 && head[7] != 0 && !readUntilNul(client, &name))
    return;
  if (gotUser != user) {
    record(log, name, false);
    sendAll(client, std::string("\x00\x5b\x00\x00\x00\x00\x00\x00", 8));
    return;
  }
  record(log, name, true);
  uint16_t p = static_cast<uint16_t>(static_cast<unsigned char>(head[2]) << 8 |
                                     static_cast<unsigned char>(head[3]));
  StreamSocket origin = connectLocal(p);
  sendAll(client, std::string("\x00\x5a\x00\x00\x00\x00\x00\x00", 8));
  relay(client, origin, stopping);
}

std::string readAll(StreamSocket& s) {
  std::string out;
  char buf[4096];
  try {
    for (;;) {
      int n = s.receiveBytes(buf, sizeof buf);
      if (n <= 0)
        break;
      out.append(buf, static_cast<size_t>(n));
    }
  } catch (const Poco::Exception&) {
  }
  return out;
}

int countEntries(const char* path) {
  DIR* dir = ::opendir(path);
  if (dir == nullptr)
    return -1;
  int count = 0;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.')
      ++count;
  }
  ::closedir(dir);
  return count;
}

} // namespace

OriginServer::OriginServer() : requests_(std::make_shared<std::atomic<int>>(0)) {
  Poco::Net::ServerSocket socket;
  socket.bind(Poco::Net::SocketAddress("127.0.0.1", 0), true);
  socket.listen(64);
  port_ = socket.address().port();
  auto* params = new Poco::Net::HTTPServerParams;
  params->setKeepAlive(false);
  server_ = std::make_unique<Poco::Net::HTTPServer>(new OriginFactory(requests_), socket, params);
  server_->start();
}

OriginServer::~OriginServer() {
  server_->stopAll(true);
}

TcpTestServer::TcpTestServer(std::function<void(StreamSocket&)> handler)
    : handler_(std::move(handler)) {
  listener_.bind(Poco::Net::SocketAddress("127.0.0.1", 0), true);
  listener_.listen(64);
  port_ = listener_.address().port();
  acceptThread_ = std::thread([this] {
    while (!stopping_.load()) {
      pollfd pfd{fdOf(listener_), POLLIN, 0};
      if (::poll(&pfd, 1, 100) <= 0)
        continue;
      int fd = ::accept4(fdOf(listener_), nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0)
        continue;
      std::lock_guard<std::mutex> lock(mutex_);
      threads_.emplace_back([this, fd] {
        try {
          // Only this thread holds the socket.
          StreamSocket client(new Poco::Net::StreamSocketImpl(fd));
          client.setReceiveTimeout(kTimeout);
          handler_(client);
        } catch (...) {
        }
      });
    }
  });
}

TcpTestServer::~TcpTestServer() {
  stopping_.store(true);
  acceptThread_.join();
  listener_.close();
  std::lock_guard<std::mutex> lock(mutex_);
  for (std::thread& t : threads_)
    t.join();
}

HttpUpstream::HttpUpstream(std::string user, std::string password)
    : log_(std::make_shared<UpstreamLog>()) {
  std::string expected = basic(user, password);
  auto log = log_;
  server_ = std::make_unique<TcpTestServer>([log, expected, this](StreamSocket& client) {
    serveHttpUpstream(client, *log, expected, server_->stopping());
  });
}

SocksUpstream::SocksUpstream(int version, std::string user, std::string password)
    : log_(std::make_shared<UpstreamLog>()) {
  auto log = log_;
  server_ = std::make_unique<TcpTestServer>([=](StreamSocket& client) {
    if (version == 5)
      serveSocks5(client, *log, user, password, server_->stopping());
    else
      serveSocks4(client, *log, user, server_->stopping());
  });
}

std::string exchange(uint16_t port, const std::string& request) {
  StreamSocket s = connectLocal(port);
  sendAll(s, request);
  return readAll(s);
}

std::string connectAndSend(uint16_t proxyPort, const std::string& authority,
                           const std::string& inner) {
  StreamSocket s = connectLocal(proxyPort);
  sendAll(s, "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n");
  std::string head;
  std::string rest;
  try {
    if (!readHead(s, &head, &rest))
      return head + rest;
  } catch (const Poco::Exception&) {
    return "";
  }
  if (statusOf(head) != 200)
    return head + rest + readAll(s);
  sendAll(s, inner);
  return head + rest + readAll(s);
}

int statusOf(const std::string& response) {
  if (response.size() < 12 || response.compare(0, 5, "HTTP/") != 0)
    return 0;
  return std::atoi(response.substr(9, 3).c_str());
}

int countFds() {
  return countEntries("/proc/self/fd");
}

int countThreads() {
  return countEntries("/proc/self/task");
}

} // namespace wdhtest
