// The listener, its accept thread, a short-lived thread per connection for its handshake, and
// the pump loop every connection's bytes then move through.
#include "proxy/forwarding_proxy.h"

#include "core/log.h"
#include "http/socket_io.h"
#include "proxy/client_session.h"

#include <Poco/Exception.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <list>
#include <mutex>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdexcept>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace wdh {
namespace {

// Handshakes under way and connections pumping, at most.
constexpr size_t kMaxConnections = 1024;

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

  std::mutex lifeMutex; // start() and stop()
  bool running = false;
  std::atomic<uint16_t> port{0};
  Poco::Net::ServerSocket listener;
  std::thread acceptThread;
  std::mutex workersMutex;
  std::list<Worker> workers;
  proxy::PumpLoop pumps;

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

  // Serves an accepted descriptor on a new thread, which alone owns it.
  void spawn(int clientFd) {
    if (reap(false) + pumps.size() >= kMaxConnections) {
      log(LogLevel::Warn, "proxy", "connection limit reached; refusing a client");
      std::string busy = proxy::textResponse(503, "wdhost proxy: too many connections\n");
      (void)writeAll(clientFd, busy, boundsIn(std::chrono::milliseconds(200), context.stopFd));
      ::close(clientFd);
      return;
    }
    auto done = std::make_shared<std::atomic<bool>>(false);
    std::lock_guard<std::mutex> lock(workersMutex);
    try {
      std::thread thread([this, clientFd, done]() noexcept {
        try {
          int one = 1;
          ::setsockopt(clientFd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          if (clientCheck && !clientCheck(clientFd))
            refuseStranger(clientFd);
          else
            proxy::serveClient(clientFd, context);
        } catch (const std::exception& e) {
          log(LogLevel::Error, "proxy", std::string("client connection failed: ") + e.what());
        } catch (...) {
          log(LogLevel::Error, "proxy", "client connection failed: unknown exception");
        }
        ::close(clientFd);
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
    context.refused.fetch_add(1);
    log(LogLevel::Warn, "proxy", "refused a client that is not this session's browser");
    std::string answer =
        proxy::textResponse(407, "wdhost proxy: only this session's browser may use this proxy\n",
                            "Proxy-Authenticate: Basic realm=\"wdhost session proxy\"\r\n");
    (void)writeAll(clientFd, answer, boundsIn(std::chrono::milliseconds(1000), context.stopFd));
  }

  // Accepts until the stop descriptor becomes readable.
  void acceptLoop() noexcept {
    int fd = listener.impl()->sockfd();
    IoBounds untilStopped{std::chrono::steady_clock::time_point::max(), context.stopFd};
    while (waitReady(fd, POLLIN, untilStopped).isOk()) {
      int clientFd = ::accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (clientFd >= 0) {
        spawn(clientFd);
      } else if (errno == EMFILE || errno == ENFILE) {
        log(LogLevel::Warn, "proxy", "accept failed: out of descriptors");
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
  }
};

ForwardingProxy::ForwardingProxy(UpstreamProxy upstream, std::vector<std::string> allowlist,
                                 TargetPolicy policy)
    : impl_(std::make_unique<Impl>()) {
  impl_->restricted = !allowlist.empty();
  impl_->allowlist = std::move(allowlist);
  Impl* impl = impl_.get();
  impl->context.upstream = std::move(upstream);
  impl->context.policy = std::move(policy);
  impl->context.allowed = [impl](const std::string& host) { return impl->allowed(host); };
}

ForwardingProxy::~ForwardingProxy() {
  stop();
}

Status ForwardingProxy::start() {
  std::lock_guard<std::mutex> life(impl_->lifeMutex);
  if (impl_->running)
    return Status(ErrorCode::UnknownError, "the forwarding proxy is already running");
  int stopFd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stopFd < 0)
    return Status(ErrorCode::UnknownError, "cannot create the forwarding proxy's stop eventfd");
  std::string failure;
  try {
    Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", 0), 128);
    impl_->listener = listener;
    impl_->port.store(listener.address().port());
    impl_->context.stopFd = stopFd;
    impl_->context.pumps = &impl_->pumps;
    if (!impl_->pumps.start())
      throw std::runtime_error(std::string("cannot start its tunnel loop: ") + strerror(errno));
    impl_->acceptThread = std::thread([impl = impl_.get()] { impl->acceptLoop(); });
  } catch (const Poco::Exception& e) {
    failure = e.displayText();
  } catch (const std::exception& e) {
    failure = e.what();
  }
  if (!failure.empty()) {
    impl_->listener.close();
    impl_->port.store(0);
    ::close(stopFd);
    impl_->context.stopFd = -1;
    return Status(ErrorCode::UnknownError,
                  "cannot start the forwarding proxy on 127.0.0.1: " + failure);
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

bool ForwardingProxy::allows(const std::string& host) const {
  return impl_->allowed(normalizeDomain(host));
}

void ForwardingProxy::stop() {
  std::lock_guard<std::mutex> life(impl_->lifeMutex);
  if (!impl_->running)
    return;
  // Ends the accept loop and every connection's wait at once.
  (void)::eventfd_write(impl_->context.stopFd, 1);
  if (impl_->acceptThread.joinable())
    impl_->acceptThread.join();
  try {
    impl_->listener.close();
  } catch (...) {
  }
  impl_->reap(true);
  impl_->pumps.stop();
  ::close(impl_->context.stopFd);
  impl_->context.stopFd = -1;
  impl_->running = false;
  impl_->port.store(0);
}

ForwardingProxy::Stats ForwardingProxy::stats() const {
  const proxy::ProxyContext& counts = impl_->context;
  return Stats{counts.served.load(), counts.refused.load(), counts.failed.load()};
}

} // namespace wdh
