// One command relayed to a session's upstream: sent in one write on a keep-alive connection,
// its answer read as it arrives, and sent once more on a fresh connection when a reused one
// turns out to have been closed by the driver while idle. Nothing in it waits: connecting,
// sending and reading each go as far as the socket allows, so the server drives it from its
// event loop without a thread waiting; run() drives it to the end on the calling thread.
#pragma once

#include "core/status.h"
#include "relay/upstream.h"

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace wdh {

// Not thread-safe: one owner drives it at a time.
class RelayCall {
public:
  // What the owner does next.
  enum class Step {
    WaitReadable, // wait until fd() is readable, then call onReadable()
    WaitWritable, // wait until fd() is writable (connecting, or sending), then onWritable()
    Done,         // finished: status() and response() say how
  };

  // Prepares `method suffix` (what follows the upstream's base) with `body`, to be answered
  // within `timeout`. `upstream` must outlive the call.
  void prepare(Upstream* upstream, std::string_view method, std::string_view suffix,
               std::string body, std::chrono::milliseconds timeout);

  // Begins the command: connects (or reuses a connection) and sends what it can.
  Step start();
  // Goes on connecting or sending.
  Step onWritable();
  // Reads what the upstream sent so far.
  Step onReadable();
  // Ends the call: the upstream took longer than the timeout.
  Step expire();
  // Ends the call as failed because of `cause` (the owner cannot wait for it).
  Step fail(const std::string& cause);
  // After Done: gives a connection that answered in full back to the upstream's pool and
  // closes any other. Until then no socket the call used is closed, so an owner that shared
  // fd() with another thread (to shut it down on a deadline) can stop sharing it first.
  void settle();
  // Drives the call to the end on this thread, waiting at most the timeout; returns status().
  Status run(RelayResponse* out);

  // The socket to wait on while WaitReadable or WaitWritable; after Done it stays open until
  // settle() (so that its number is not reused while the sweeper may still name it); -1 after.
  int fd() const noexcept;
  // The connection the command went out on (null when none could be had).
  UpstreamConnection* connection() noexcept { return connection_.get(); }
  // How it ended (after Done): Ok, or UnknownError saying what the upstream did wrong.
  const Status& status() const noexcept { return status_; }
  // The upstream's answer (after Done with Ok status).
  ParsedResponse& response() noexcept { return response_; }
  // The command, as prepared.
  const std::string& method() const noexcept { return method_; }
  const std::string& suffix() const noexcept { return suffix_; }
  const std::string& body() const noexcept { return body_; }
  std::chrono::milliseconds timeout() const noexcept { return timeout_; }

private:
  Step send();
  Step finish(Status status);
  // Opens a fresh connection for a request a reused one could not take; false when it cannot.
  bool resendOnFreshConnection();

  Upstream* upstream_ = nullptr;
  std::string method_;
  std::string suffix_;
  std::string body_;
  std::string head_;
  std::chrono::milliseconds timeout_{0};
  std::unique_ptr<UpstreamConnection> connection_;
  std::unique_ptr<UpstreamConnection> retired_; // a stale connection replaced by a fresh one
  bool reused_ = false;                         // the connection was idle before: it may be stale
  bool resent_ = false;                         // already sent again on a fresh connection
  bool connecting_ = false;                     // the connection is not made yet
  std::size_t sent_ = 0;                        // bytes of head and body sent on this connection
  ParsedResponse response_;
  Status status_;
};

} // namespace wdh
