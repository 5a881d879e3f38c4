// One person watching a session over a websocket the host serves itself: a thread that sends
// the session's newest picture whenever the person's connection can take it (older pictures
// are skipped, never queued: a viewer that stops reading holds one picture at most and slows
// nothing), tells who holds control, and reads the person's messages (take, release, input).
#pragma once

#include "live/live_session.h"
#include "process/unique_fd.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace wdh {

// What a viewer may do.
struct ViewerRights {
  bool control = false; // may take control
  std::string csrf;     // the token a take must carry ("" when none is needed)
  std::string linkId;   // the hand-off link it came by ("" for the status page)
  std::string name;     // who it is, as others see it when it holds control
};

// Finds what a hand-off link's secret opens: Ok with the session and the rights, or a refusal.
using LinkAdmission = std::function<Status(
    const std::string& secret, std::shared_ptr<LiveSession>* session, ViewerRights* rights)>;

// One viewer. Its thread ends when the person goes, the session ends, the link that let it in
// expires or is revoked, or at stop().
class LiveViewer {
public:
  // A viewer of `session` with `rights` (the status page: already authenticated).
  LiveViewer(std::uint64_t number, std::shared_ptr<LiveSession> session, ViewerRights rights,
             UniqueFd socket);
  // A viewer that came by a link: its first message must be {"type": "hello", "link": SECRET},
  // which `admit` checks; `stillValid` answers whether its link still is.
  LiveViewer(std::uint64_t number, LinkAdmission admit,
             std::function<bool(const std::string& linkId)> stillValid, UniqueFd socket);
  // stop(), then joins the thread.
  ~LiveViewer();
  LiveViewer(const LiveViewer&) = delete;
  LiveViewer& operator=(const LiveViewer&) = delete;

  // Asks the thread to end (a close frame 1001 goes to the person); returns at once.
  void stop() noexcept { stop_.store(true); }
  // True once the thread has ended.
  bool done() const noexcept { return done_.load(); }
  // The session it watches ("" before a link admitted it).
  std::string sessionId() const;

private:
  void run();
  // Handles one text message; false with `*code` and `*why` when the viewer must close.
  bool handle(const std::string& message, std::uint16_t* code, std::string* why);
  // Queues a text message to the person (after the picture being sent).
  void say(const std::string& json);
  // The control message: who holds it and whether it is this viewer.
  std::string controlMessage() const;

  std::uint64_t number_;
  std::shared_ptr<LiveSession> session_;
  ViewerRights rights_;
  LinkAdmission admit_;
  std::function<bool(const std::string&)> stillValid_;
  UniqueFd socket_;
  std::string texts_; // text frames waiting for the picture being sent
  std::string out_;   // bytes being sent to the person (one message at a time)
  std::size_t outSent_ = 0;
  std::shared_ptr<const ViewFrame> sending_; // the picture whose bytes follow out_
  std::size_t sendingSent_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> done_{false};
  mutable std::mutex sessionMutex_; // guards session_ once the thread runs
  std::thread thread_;
};

} // namespace wdh
