// One session as its live viewers see it: the newest picture of its page, shared by every
// viewer (one source per session, however many watch: chrome's screencast on the host's own
// DevTools connection, else the session's screenshots), and who holds control of it.
#pragma once

#include "core/status.h"
#include "live/live_input.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace wdh {

class Session;

// A picture of the page and the viewport it shows.
struct ViewFrame {
  std::string contentType; // "image/jpeg" or "image/png"
  std::string bytes;
  double cssWidth = 0; // the viewport in CSS pixels, where inputs land
  double cssHeight = 0;
  std::uint64_t sequence = 0; // 1 for the first picture, then counting up
};

// What a live session's source does, for tests and the docs.
struct LiveSourceSettings {
  std::chrono::milliseconds pollGap{150}; // between two screenshots where there is no screencast
  int maxFps = 15; // the most pictures a second a screencast is let send (acknowledgements wait)
  int maxWidth = 1280; // the largest picture a screencast sends
  int maxHeight = 960;
  std::atomic<std::uint64_t>* pictures = nullptr; // counts every picture taken, when set
};

// One watched session. Thread-safe.
class LiveSession {
public:
  // Watches `session` (held weakly: the session may end at any time).
  LiveSession(std::weak_ptr<Session> session, std::string id, LiveSourceSettings settings = {});
  // Stops the source and waits for it.
  ~LiveSession();
  LiveSession(const LiveSession&) = delete;
  LiveSession& operator=(const LiveSession&) = delete;

  // The session's id.
  const std::string& id() const noexcept { return id_; }
  // The browser it runs ("chrome"), for the viewer's page.
  std::string browser() const;

  // A viewer came: the source runs while at least one watches.
  void watch();
  // A viewer went.
  void unwatch();
  // The newest picture (null before the first).
  std::shared_ptr<const ViewFrame> latest() const;
  // Waits until `deadline` (or the session's end) for a picture numbered after `after`: the
  // newest then, or null when none came.
  std::shared_ptr<const ViewFrame> waitNewer(std::uint64_t after,
                                             std::chrono::steady_clock::time_point deadline) const;
  // Why the last picture could not be taken ("" when the last attempt worked).
  std::string problem() const;

  // Gives control to viewer `viewer` (known to people as `name`) unless another holds it:
  // true when `viewer` holds it now; false with the holder's name in *holder otherwise.
  bool take(std::uint64_t viewer, const std::string& name, std::string* holder);
  // Gives control back when `viewer` holds it.
  void release(std::uint64_t viewer);
  // The holder's name ("" when nobody holds control) and viewer number (0 when nobody).
  std::string holder(std::uint64_t* viewer) const;
  // Counts up whenever control changes hands.
  std::uint64_t controlVersion() const noexcept { return controlVersion_.load(); }
  // Does `input` on the page for `viewer`, which must hold control: a Perform Actions command
  // of the session (queued with the client's own commands, re-arming its idle timer); a scroll
  // a backend cannot do as a wheel action is done by script.
  Status input(std::uint64_t viewer, const LiveInput& input);

  // Asks the source for a picture of the page as it is now (a screencast takes a screenshot on
  // its connection within a moment); where pictures are polled, the next comes anyway.
  void captureSoon() noexcept { captureWanted_.store(true); }
  // Makes `frame` the newest picture (numbered next); the source calls it, tests may.
  void publish(ViewFrame frame);
  // Says why no picture can be taken now ("" once one can); the source calls it, tests may.
  void setProblem(const std::string& problem);

  // The session ended: the source stops, viewers are told.
  void end();
  // True once the session ended.
  bool ended() const noexcept { return ended_.load(); }

private:
  void produce();
  void produceScreencast(const std::string& cdp);
  void producePolled();
  bool keepProducing() const;
  // Sleeps `how long` unless the source should stop first.
  void pause(std::chrono::milliseconds howLong);

  std::weak_ptr<Session> session_;
  std::string id_;
  LiveSourceSettings settings_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::shared_ptr<const ViewFrame> latest_;
  std::string problem_;
  int viewers_ = 0;
  bool producing_ = false; // the source thread runs
  std::thread source_;
  std::uint64_t holder_ = 0;
  std::string holderName_;
  std::atomic<std::uint64_t> controlVersion_{0};
  std::atomic<bool> ended_{false};
  std::atomic<bool> captureWanted_{false};
  std::mutex inputMutex_; // one input at a time, in order
};

} // namespace wdh
