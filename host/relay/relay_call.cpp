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
  connecting_ = false;
  sent_ = 0;
  status_ = Status::ok();
  upstream_->requestHead(method_, suffix_, body_.size(), &head_);
}

RelayCall::Step RelayCall::start() {
  Status status = upstream_->checkout(&connection_, &reused_, &connecting_);
  if (!status.isOk())
    return finish(
        Status(ErrorCode::UnknownError, upstream_->failure(method_, suffix_, status.message())));
  connection_->beginRequest();
  sent_ = 0;
  return connecting_ ? Step::WaitWritable : send();
}

RelayCall::Step RelayCall::onWritable() {
  if (connecting_) {
    connecting_ = false;
    Status made = connection_->connected();
    if (!made.isOk())
      return finish(
          Status(ErrorCode::UnknownError, upstream_->failure(method_, suffix_, made.message())));
  }
  return send();
}

RelayCall::Step RelayCall::send() {
  for (;;) {
    bool done = false;
    Status status = connection_->sendSome(head_, body_, &sent_, &done);
    if (status.isOk())
      return done ? Step::WaitReadable : Step::WaitWritable;
    if (!resendOnFreshConnection())
      return finish(
          Status(ErrorCode::UnknownError, upstream_->failure(method_, suffix_, status.message())));
    if (connecting_)
      return Step::WaitWritable;
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
      UpstreamConnection::open(upstream_->host(), upstream_->port(), &connection_, &connecting_);
  if (!opened.isOk())
    return false;
  connection_->beginRequest();
  sent_ = 0;
  return true;
}

RelayCall::Step RelayCall::onReadable() {
  Status error;
  ParseState state = connection_->receive(method_ == "HEAD", &response_, &error);
  if (state == ParseState::Incomplete)
    return Step::WaitReadable;
  if (state == ParseState::Complete)
    return finish(Status::ok());
  if (!connection_->receivedAny() && resendOnFreshConnection())
    return connecting_ ? Step::WaitWritable : send();
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
  while (step != Step::Done) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      step = expire();
      break;
    }
    bool writing = step == Step::WaitWritable;
    pollfd wait{fd(), static_cast<short>(writing ? POLLOUT : POLLIN), 0};
    int ready = poll(&wait, 1, static_cast<int>(std::min<long long>(left.count(), 1 << 30)));
    if (ready < 0 && errno != EINTR) {
      step = fail(std::string("cannot wait for the driver: ") + strerror(errno));
      break;
    }
    if (ready > 0)
      step = writing ? onWritable() : onReadable();
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
