// One traced session: told of each command as it begins and ends (cheaply, on the thread that
// moves its bytes), it keeps the command with the page before and after it, and on a thread of
// its own does what may wait: asks whether typed text went into a password field, reads the
// page's URL and title after a command that may change them, takes a screenshot where the
// backend has no screencast, and (chrome) listens to the page's console and requests.
#pragma once

#include "core/status.h"
#include "recording/retention.h"
#include "relay/upstream.h"
#include "session/end_cause.h"
#include "trace/trace_record.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace wdh {

class LiveSession;
class Session;

// What a session's trace is told to do.
struct SessionTraceOptions {
  std::string browser;                   // the plugin's browser name
  TraceBounds bounds;                    // how many pictures and bytes it keeps
  bool redactAll = false;                // leave out every typed text and script argument
  bool onFailureOnly = false;            // kept only when the session failed
  std::chrono::milliseconds settle{700}; // pictures this long after a command still show it
};

// Thread-safe.
class SessionTrace {
public:
  // Traces `session` (held weakly) until it ends; `done` is called once on the trace's own
  // thread when the trace is complete (the session ended and its last command was kept).
  SessionTrace(const std::shared_ptr<Session>& session, SessionTraceOptions options,
               std::function<void(SessionTrace&)> done);
  // Stops the trace's threads and waits for them.
  ~SessionTrace();
  SessionTrace(const SessionTrace&) = delete;
  SessionTrace& operator=(const SessionTrace&) = delete;

  // The session's id.
  const std::string& id() const noexcept { return id_; }
  // Whether it is kept only when the session failed.
  bool onFailureOnly() const noexcept { return options_.onFailureOnly; }

  // Command `method suffix` with request `body` begins: its number. Never blocks.
  std::uint64_t started(std::string_view method, std::string_view suffix, std::string_view body);
  // Command `number` ended with `status` and (when Ok) `out`. Never blocks.
  void finished(std::uint64_t number, const Status& status, const RelayResponse& out);
  // A console line or request of the page ("console" or "network"), from elsewhere than the
  // trace's own DevTools connection (the client's BiDi events). Never blocks.
  void event(const char* kind, std::string text);
  // The client said how its test went (an event type such as "test:failed").
  void noteEvent(std::string_view eventType);
  // The session is ending for `why`: the trace completes once its running commands are kept.
  void ending(const std::string& why);
  // True when its pictures come from a screencast (else by screenshot commands).
  bool screencast() const noexcept { return screencast_ != nullptr; }
  // Waits until `deadline` for the trace's thread to be done with command `number`.
  void await(std::uint64_t number, std::chrono::steady_clock::time_point deadline);
  // Before the session's browser goes: waits until `deadline` for a picture of the page as the
  // last command left it and for what the trace's thread still has to do.
  void settle(std::chrono::steady_clock::time_point deadline);
  // Why the session ended.
  void endedBecause(EndCause cause);
  // Ends the trace now (the host stops).
  void stop();

  // The trace so far (or in all) in JSON into *out; false once it was let go (release()).
  bool json(std::string* out) const;
  // Lets go of what the trace holds (once it is written to its file, or left out).
  void release();
  // Its summary: commands so far, whether it failed, whether the session still runs.
  void summary(std::size_t* commands, bool* failed, bool* running, std::string* endedBy) const;
  // Whether it is to be kept (the recordings' rules: see keepRecording).
  bool keep() const;
  // When it began, ms since the epoch; its browser.
  std::int64_t startedAtMs() const noexcept { return startedAtMs_; }
  const std::string& browser() const noexcept { return options_.browser; }

private:
  struct Finished; // a command's end, for the trace's thread
  struct Pending;  // a command whose picture after it may still change (screencast)
  void run();
  void listen(const std::string& cdp);
  void process(Finished& item);
  // Closes every pending command (keeps its picture) (mutex_ held).
  void closePendingLocked();
  // True when the text command `item` (request `raw`) typed is to be left out: it went into a
  // password field, or where it went is not known. Asks the page (commands of the session).
  bool typedSecret(Session& session, const Finished& item, const std::string& raw);
  std::int64_t msSinceStart() const;

  std::weak_ptr<Session> session_;
  std::string id_;
  SessionTraceOptions options_;
  std::function<void(SessionTrace&)> done_;
  std::chrono::steady_clock::time_point began_;
  std::int64_t startedAtMs_ = 0;
  std::shared_ptr<LiveSession> screencast_; // null where the backend has none
  std::string cdp_;                         // the browser's DevTools base, or ""

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_; // queue_ emptied and nothing being worked on
  TraceRecord record_;
  std::vector<Finished> queue_;
  std::vector<Pending> pending_;
  std::vector<std::pair<std::uint64_t, std::string>> rawBodies_; // awaiting classification
  std::set<std::string, std::less<>> passwordElements_;
  std::uint64_t lastFrame_ = 0;  // the newest picture kept (screenshots)
  std::uint64_t generation_ = 0; // counts page-changing commands begun
  int running_ = 0;              // commands begun and not finished
  bool ending_ = false;
  bool settled_ = false;        // settle() is done: the trace may complete
  bool busy_ = false;           // the trace's thread works on commands taken from queue_
  bool released_ = false;       // release() ran: the trace is in its file only
  std::uint64_t processed_ = 0; // the last command the trace's thread was done with
  std::chrono::steady_clock::time_point endingAt_{};
  SessionOutcome outcome_ = SessionOutcome::Unknown;
  EndCause cause_ = EndCause::None;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::thread listener_;
};

} // namespace wdh
