// The listener, its accept thread and the bounded set of per-connection threads.
#include "proxy/forwarding_proxy.h"

#include "core/log.h"
#include "proxy/client_session.h"
#include "proxy/socket_io.h"

#include <Poco/Exception.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocketImpl.h>
#include <atomic>
#include <cerrno>
#include <list>
#include <mutex>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace wdh {
namespace {

constexpr size_t kMaxConnections = 256;
constexpr int kAcceptSliceMs = 100;

// One connection thread; `done` is set as its last act, so it can be joined without waiting.
struct Worker {
  std::thread thread;
  std::shared_ptr<std::atomic<bool>> done;
};

} // namespace

struct ForwardingProxy::Impl {
  proxy::ProxyContext context;
  mutable std::mutex allowMutex;
  std::vector<std::string> allowlist;
  bool restricted = false;
  std::function<bool(int)> clientCheck; // set before start(), read-only afterwards

  std::atomic<bool> stopping{false};
  std::atomic<uint64_t> served{0}, refused{0}, failed{0};

  std::mutex lifeMutex; // start() and stop()
  bool running = false;
  std::atomic<uint16_t> port{0};
  Poco::Net::ServerSocket listener;
  std::thread acceptThread;
  std::mutex workersMutex;
  std::list<Worker> workers;

  bool allowed(const std::string& host) const {
    std::lock_guard<std::mutex> lock(allowMutex);
    return !restricted || domainAllowed(host, allowlist);
  }

  // Joins finished workers; with `all`, every worker. Returns how many remain.
  size_t reap(bool all) {
    std::list<Worker> finished;
    size_t remaining = 0;
    {
      std::lock_guard<std::mutex> lock(workersMutex);
      for (auto it = workers.begin(); it != workers.end();) {
        if (all || it->done->load()) {
          finished.push_back(std::move(*it));
          it = workers.erase(it);
        } else {
          ++it;
        }
      }
      remaining = workers.size();
    }
    for (Worker& worker : finished) {
      if (worker.thread.joinable())
        worker.thread.join();
    }
    return remaining;
  }

  // Serves an accepted descriptor on a new thread, which alone owns it (no socket object is
  // shared between threads).
  void spawn(int clientFd) {
    if (reap(false) >= kMaxConnections) {
      log(LogLevel::Warn, "proxy", "connection limit reached; refusing a client");
      std::string busy = proxy::textResponse(503, "wdhost proxy: too many connections\n");
      (void)proxy::writeAll(clientFd, busy,
                            proxy::boundsIn(std::chrono::milliseconds(200), &stopping));
      ::close(clientFd);
      return;
    }
    auto done = std::make_shared<std::atomic<bool>>(false);
    std::lock_guard<std::mutex> lock(workersMutex);
    try {
      std::thread thread([this, clientFd, done]() noexcept {
        try {
          Poco::Net::StreamSocket client(new Poco::Net::StreamSocketImpl(clientFd));
          client.setNoDelay(true);
          if (clientCheck && !clientCheck(clientFd)) {
            refuseStranger(clientFd);
          } else {
            proxy::serveClient(client, context);
          }
        } catch (const std::exception& e) {
          log(LogLevel::Error, "proxy", std::string("client connection failed: ") + e.what());
        } catch (...) {
          log(LogLevel::Error, "proxy", "client connection failed: unknown exception");
        }
        done->store(true);
      });
      workers.push_back(Worker{std::move(thread), done});
    } catch (const std::exception& e) {
      ::close(clientFd);
      log(LogLevel::Error, "proxy", std::string("cannot start a connection thread: ") + e.what());
    }
  }

  // A client that is not the session's browser: 407, and nothing goes upstream.
  void refuseStranger(int clientFd) {
    refused.fetch_add(1);
    log(LogLevel::Warn, "proxy", "refused a client that is not this session's browser");
    std::string body = "wdhost proxy: only this session's browser may use this proxy\n";
    std::string answer = "HTTP/1.1 407 Proxy Authentication Required\r\n"
                         "Proxy-Authenticate: Basic realm=\"wdhost session proxy\"\r\n"
                         "Content-Type: text/plain; charset=utf-8\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    (void)proxy::writeAll(clientFd, answer,
                          proxy::boundsIn(std::chrono::milliseconds(1000), &stopping));
  }

  void acceptLoop() noexcept {
    int fd = proxy::fdOf(listener);
    while (!stopping.load()) {
      pollfd pfd{fd, POLLIN, 0};
      int n = ::poll(&pfd, 1, kAcceptSliceMs);
      if (n <= 0 || stopping.load())
        continue;
      int clientFd = ::accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (clientFd < 0) {
        if (errno == EMFILE || errno == ENFILE) {
          log(LogLevel::Warn, "proxy", "accept failed: out of descriptors");
          std::this_thread::sleep_for(std::chrono::milliseconds(kAcceptSliceMs));
        }
        continue;
      }
      spawn(clientFd);
    }
  }
};

ForwardingProxy::ForwardingProxy(UpstreamProxy upstream, std::vector<std::string> allowlist)
    : impl_(std::make_unique<Impl>()) {
  impl_->restricted = !allowlist.empty();
  impl_->allowlist = std::move(allowlist);
  Impl* impl = impl_.get();
  impl->context.upstream = std::move(upstream);
  impl->context.stop = &impl->stopping;
  impl->context.allowed = [impl](const std::string& host) { return impl->allowed(host); };
  impl->context.served = &impl->served;
  impl->context.refused = &impl->refused;
  impl->context.failed = &impl->failed;
}

ForwardingProxy::~ForwardingProxy() {
  stop();
}

Status ForwardingProxy::start() {
  std::lock_guard<std::mutex> life(impl_->lifeMutex);
  if (impl_->running)
    return Status(ErrorCode::UnknownError, "the forwarding proxy is already running");
  try {
    Poco::Net::ServerSocket listener;
    listener.bind(Poco::Net::SocketAddress("127.0.0.1", 0), true);
    listener.listen(128);
    impl_->listener = listener;
    impl_->port.store(listener.address().port());
  } catch (const Poco::Exception& e) {
    return Status(ErrorCode::UnknownError,
                  "cannot listen on 127.0.0.1 for the forwarding proxy: " + e.displayText());
  }
  impl_->stopping.store(false);
  try {
    impl_->acceptThread = std::thread([impl = impl_.get()] { impl->acceptLoop(); });
  } catch (const std::exception& e) {
    impl_->listener.close();
    impl_->port.store(0);
    return Status(ErrorCode::UnknownError,
                  std::string("cannot start the forwarding proxy thread: ") + e.what());
  }
  impl_->running = true;
  log(LogLevel::Debug, "proxy",
      "forwarding proxy listening on 127.0.0.1:" + std::to_string(impl_->port.load()));
  return Status::ok();
}

uint16_t ForwardingProxy::port() const {
  return impl_->port.load();
}

void ForwardingProxy::setClientCheck(std::function<bool(int clientFd)> check) {
  impl_->clientCheck = std::move(check);
}

void ForwardingProxy::allowHost(const std::string& host) {
  std::string name = normalizeDomain(host);
  std::lock_guard<std::mutex> lock(impl_->allowMutex);
  if (!impl_->restricted || name.empty())
    return;
  if (!domainAllowed(name, impl_->allowlist))
    impl_->allowlist.push_back(name);
}

void ForwardingProxy::stop() {
  std::lock_guard<std::mutex> life(impl_->lifeMutex);
  if (!impl_->running)
    return;
  impl_->stopping.store(true);
  ::shutdown(proxy::fdOf(impl_->listener), SHUT_RDWR); // wakes the accept thread's poll
  if (impl_->acceptThread.joinable())
    impl_->acceptThread.join();
  try {
    impl_->listener.close();
  } catch (...) {
  }
  impl_->reap(true);
  impl_->running = false;
  impl_->port.store(0);
}

ForwardingProxy::Stats ForwardingProxy::stats() const {
  Stats out;
  out.served = impl_->served.load();
  out.refused = impl_->refused.load();
  out.failed = impl_->failed.load();
  return out;
}

} // namespace wdh
