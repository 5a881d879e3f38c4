#include "relay/relay_call.h"

#include <cerrno>
#include <cstring>
#include <poll.h>

namespace wdh {

void RelayCall::prepare(Upstream* upstream, std::string_view method, std::string_view suffix,
                        std::string body, std::chrono::milliseconds timeout) {
  upstream_ = upstream;
  method_.assign(method);
  suffix_.assign(suffix);
  body_ = std::move(body);
  timeout_ = timeout;
  connection_.reset();
  retired_.reset();
  reused_ = false;
  resent_ = false;
  status_ = Status::ok();
  upstream_->requestHead(method_, suffix_, body_.size(), &head_);
}

RelayCall::Step RelayCall::start() {
  Status status = upstream_->checkout(timeout_, &connection_, &reused_);
  if (!status.isOk())
    return finish(
        Status(ErrorCode::UnknownError, upstream_->failure(method_, suffix_, status.message())));
  return send();
}

RelayCall::Step RelayCall::send() {
  for (;;) {
    bool timedOut = false;
    Status status = connection_->send(head_, body_, timeout_, &timedOut);
    if (status.isOk())
      return Step::WaitReadable;
    if (timedOut)
      return expire();
    if (!resendOnFreshConnection())
      return finish(
          Status(ErrorCode::UnknownError, upstream_->failure(method_, suffix_, status.message())));
  }
}

bool RelayCall::resendOnFreshConnection() {
  // Only a connection that sat idle may have been closed by the driver meanwhile, and only
  // once: a fresh connection that fails is the driver's real answer.
  if (!reused_ || resent_)
    return false;
  resent_ = true;
  reused_ = false;
  retired_ = std::move(connection_);
  Status opened =
      UpstreamConnection::open(upstream_->host(), upstream_->port(), timeout_, &connection_);
  return opened.isOk();
}

RelayCall::Step RelayCall::onReadable() {
  Status error;
  bool slow = false;
  ParseState state = connection_->receive(false, method_ == "HEAD", &response_, &error, &slow);
  if (state == ParseState::Incomplete)
    return Step::WaitReadable;
  if (state == ParseState::Complete)
    return finish(Status::ok());
  if (!connection_->receivedAny() && resendOnFreshConnection())
    return send();
  return finish(
      Status(ErrorCode::UnknownError, upstream_->failure(method_, suffix_, error.message())));
}

RelayCall::Step RelayCall::expire() {
  return finish(Status(ErrorCode::UnknownError, upstream_->noAnswer(method_, suffix_, timeout_)));
}

RelayCall::Step RelayCall::fail(const std::string& cause) {
  return finish(Status(ErrorCode::UnknownError, upstream_->failure(method_, suffix_, cause)));
}

RelayCall::Step RelayCall::finish(Status status) {
  status_ = std::move(status);
  return Step::Done;
}

void RelayCall::settle() {
  if (status_.isOk() && connection_)
    upstream_->checkin(std::move(connection_));
  connection_.reset();
  retired_.reset();
}

int RelayCall::fd() const noexcept {
  return connection_ ? connection_->fd() : -1;
}

Status RelayCall::run(RelayResponse* out) {
  auto deadline = std::chrono::steady_clock::now() + timeout_;
  Step step = start();
  while (step == Step::WaitReadable) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      step = expire();
      break;
    }
    pollfd wait{fd(), POLLIN, 0};
    int ready = poll(&wait, 1, static_cast<int>(std::min<long long>(left.count(), 1 << 30)));
    if (ready < 0 && errno != EINTR) {
      step = fail(std::string("cannot wait for the answer: ") + strerror(errno));
      break;
    }
    if (ready > 0)
      step = onReadable();
  }
  settle();
  if (status_.isOk()) {
    out->status = response_.status;
    out->contentType = std::move(response_.contentType);
    out->body = std::move(response_.body);
  }
  return status_;
}

} // namespace wdh
