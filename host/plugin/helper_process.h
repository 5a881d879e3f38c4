// One running wdhost-plugin-host: started under the supervisor with one end of a socketpair (the
// main channel), the lanes its calls travel on, and how it ended. A crash or hang ends only this
// object's calls.
#pragma once

#include "core/status.h"
#include "plugin/channel_messages.h"
#include "process/process_supervisor.h"
#include "process/unique_fd.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include <wdhost/plugin.h>

namespace wdh {

// What the helper said of the plugin right after it loaded it.
struct HelperHello {
  std::string id;           // reverse-DNS id
  std::string name;         // short name
  std::string version;      // plugin semver
  std::uint32_t abiMinor{}; // the agreed minor
  std::uint64_t flags{};    // kHelloHasCommand | kHelloTakesContext
  std::uint64_t pid{};      // the helper's process id (its RSS is reported)
};

// What one call got back. answered false: the helper ended before it answered (`ended` says
// how: "was killed by signal 11 (SIGSEGV)", "hung in launch past its deadline and was ended").
struct HelperAnswer {
  bool answered = false;
  wdhost_status rc = WDHOST_ERROR;
  PluginReply reply;
  std::uint64_t session = 0; // the helper's handle of a session launch created
  std::string ended;
};

// One helper process. Thread-safe; calls run concurrently, each waiting for its own answer.
class HelperProcess : public std::enable_shared_from_this<HelperProcess> {
public:
  // Receives the plugin's log lines (on the reader thread; must not block).
  using LogSink = std::function<void(wdhost_log_level, std::string_view)>;
  // Answers a ServiceCall body with a whole ServiceResult frame (on a thread of its own; may
  // block as long as the service does).
  using ServiceHandler = std::function<std::string(const std::string&)>;
  // Told how the helper ended when it ended on its own (a crash, an exit), on the reader thread
  // as soon as it is seen, calls or none; must not block or drop the last reference to it.
  using EndSink = std::function<void(const std::string& reason)>;

  // Starts `helperPath` for `libraryPath` under `processes` and waits (10 s at most) for its
  // hello. UnknownError with the helper's own reason when it cannot load the plugin.
  static Status start(const std::string& helperPath, const std::string& libraryPath,
                      ProcessSupervisor* processes, std::shared_ptr<HelperProcess>* out,
                      HelperHello* hello);
  // Ends the process (if it still runs) and joins the reader thread.
  ~HelperProcess();
  HelperProcess(const HelperProcess&) = delete;
  HelperProcess& operator=(const HelperProcess&) = delete;

  // Where the plugin's log lines go from now on; set before the first call.
  void setLogSink(LogSink sink);
  // Who answers the plugin's host service calls from now on; set before the first call.
  void setServiceHandler(ServiceHandler handler);
  // Who hears of the helper's own end from now on (null: nobody).
  void setEndSink(EndSink sink);

  // Sends a call of `type` whose fields `fill` appends on a lane of its own, and waits for its
  // answer there. `context` (may be null; borrowed for the call) is polled every 50 ms: once
  // cancelled, or `cancelGrace` past its deadline, the helper is told, and `cancelGrace` after
  // that it is ended.
  // `bound` (zero: none) ends it when no answer came by then. `what` names the call in the reason.
  // Never throws.
  HelperAnswer call(ChannelMessage type, const std::function<void(FrameBuilder&)>& fill,
                    const wdhost_call_context* context, std::chrono::milliseconds bound,
                    std::chrono::milliseconds cancelGrace, const char* what);

  // Ends the process now (SIGKILL to its tree) with `reason` for its calls; idempotent.
  void end(const std::string& reason);
  // True once the process ended or its channel broke.
  bool ended() const;
  // How it ended ("" while it runs).
  std::string endReason() const;
  // The supervisor's id of the process.
  ProcessSupervisor::Id processId() const noexcept { return processId_; }
  // The helper's own pid, as its hello said.
  std::uint64_t pid() const noexcept { return pid_; }

private:
  // A lane: the host's end of a socketpair whose other end the helper serves, and what was read
  // of it. Used by one call at a time.
  struct Lane {
    UniqueFd fd;
    FrameSplitter splitter;
  };

  HelperProcess(ProcessSupervisor* processes, ProcessSupervisor::Id id, UniqueFd channel);
  // The reader thread: log lines and service calls until the main channel ends.
  void readLoop() noexcept;
  // An idle lane, or a new one handed to the helper; null with *error when none could be had.
  std::unique_ptr<Lane> takeLane(std::string* error);
  // Keeps `lane` for the next call (a few at most; the others are closed).
  void keepLane(std::unique_ptr<Lane> lane);
  // The answer of a `what` call whose lane failed with `laneError`: the helper's end (waited
  // for, bounded) when it ended, else an error of this call alone.
  HelperAnswer laneFailed(const char* what, const std::string& laneError);
  // Marks the helper ended with `reason` (the first reason wins) and wakes every call.
  void markEnded(const std::string& reason);
  bool send(const std::string& frame);

  ProcessSupervisor* processes_;
  ProcessSupervisor::Id processId_;
  std::uint64_t pid_ = 0;
  UniqueFd channel_;
  std::mutex writeMutex_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::uint32_t lastCall_ = 0;
  std::mutex lanesMutex_;
  std::vector<std::unique_ptr<Lane>> idleLanes_;
  std::string endReason_; // set once: how the helper ended
  bool ending_ = false;   // end() was called: the reason is ours, not the exit status
  LogSink logSink_;
  ServiceHandler serviceHandler_;
  EndSink endSink_;
  std::thread reader_;
};

// "was killed by signal 11 (SIGSEGV)" or "exited with code 3": how a helper's process ended.
std::string describeHelperEnd(const ProcessState& state);

} // namespace wdh
