// The host's traces: which sessions are traced (wdhost:trace, else --trace), one SessionTrace
// per traced session while it runs, and the finished ones kept as JSON files in a directory of
// their own (the newest --traces-max-kept; with on-failure only those of sessions that failed).
#pragma once

#include "session/session_events.h"
#include "trace/session_trace.h"
#include "webdriver/command_tracer.h"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace wdh {

// How the host traces.
struct TraceSettings {
  TraceMode mode = TraceMode::Off;       // --trace
  std::string dir;                       // --traces-dir (absolute)
  TraceBounds bounds;                    // --trace-max-frames, --trace-max-mib
  std::size_t maxKept = 200;             // --traces-max-kept: finished traces kept on disk
  std::chrono::milliseconds settle{700}; // see SessionTraceOptions
};

// One trace as /wdhost/traces lists it.
struct TraceInfo {
  std::string sessionId;
  std::string browser;
  std::int64_t startedAtMs = 0; // ms since the epoch
  std::size_t commands = 0;     // commands traced (0 for a finished trace read from disk)
  bool failed = false;          // a command failed, the client said so, or it ended abnormally
  bool running = false;         // its session still runs
  std::string endedBy;          // why its session ended, "" while it runs
  std::uint64_t size = 0;       // a finished trace's bytes on disk
};

// The default --traces-dir: beside the default recordings directory ($XDG_STATE_HOME/wdhost/traces,
// else ~/.local/state/wdhost/traces, else $TMPDIR/wdhost-<uid>/traces).
std::string defaultTracesDir();

// Thread-safe. Must be told of every session's end (add it as a SessionEvents watcher).
class Traces : public CommandTracer, public SessionEvents {
public:
  explicit Traces(TraceSettings settings);
  // stopAll().
  ~Traces() override;
  Traces(const Traces&) = delete;
  Traces& operator=(const Traces&) = delete;

  // CommandTracer.
  bool tracing() const noexcept override { return running_.load(std::memory_order_relaxed) > 0; }
  Status begin(const std::shared_ptr<Session>& session, const std::string& browser,
               const TraceAsk& ask, bool* traced) override;
  std::uint64_t commandStarted(std::string_view id, std::string_view method,
                               std::string_view suffix, std::string_view body) override;
  void commandFinished(std::uint64_t command, std::string_view id, const Status& status,
                       const RelayResponse& out) override;
  void noteEvent(std::string_view id, std::string_view eventType) override;
  void settle(std::string_view id, std::chrono::milliseconds bound) override;
  bool waitsFor(std::string_view id) const override;
  std::unique_ptr<WebSocketTap> tapBidi(std::string_view id) override;
  void await(std::uint64_t command, std::string_view id) override;
  // SessionEvents: a session's end completes its trace.
  void sessionEnding(const std::string& id, std::uint16_t closeCode,
                     const std::string& why) override;
  void sessionEndedBecause(const std::string& id, EndCause cause) override;

  // The traces: running ones first, then those on disk, newest first.
  std::vector<TraceInfo> list() const;
  // The trace of session `id` in JSON: InvalidArgument for an id no session can have,
  // UnknownCommand (404) when there is none (or it was not kept).
  Status json(std::string_view id, std::string* out) const;
  // Deletes the finished trace of session `id` (errors as json(); a running one cannot go).
  Status remove(std::string_view id);
  // Ends every trace (each is kept as its rules say) and waits for them.
  void stopAll();
  // Finished traces written so far, and those left out (on-failure, session passed).
  std::uint64_t written() const noexcept { return written_.load(); }

private:
  // A finished trace: written (or left out), then forgotten. On the trace's own thread.
  void finish(SessionTrace& trace);
  // The file a session's trace is kept in; false for an id no file may be named after.
  bool fileOf(std::string_view id, std::string* path) const;
  // Deletes the oldest files past maxKept.
  void prune();
  std::shared_ptr<SessionTrace> find(std::string_view id) const;

  TraceSettings settings_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<SessionTrace>, std::less<>> byId_; // running
  std::vector<std::shared_ptr<SessionTrace>> finished_; // threads to join, outside mutex_
  std::vector<std::shared_ptr<SessionTrace>> replaced_; // by a new session of the same id
  std::map<std::string, TraceInfo, std::less<>> kept_;  // what this host wrote, as listed
  std::atomic<int> running_{0};
  std::atomic<std::uint64_t> written_{0};
  std::atomic<bool> stopped_{false};
  std::mutex diskMutex_; // one writer of the directory at a time
};

} // namespace wdh
