// New Session: the client's capabilities checked and matched to a plugin, a browser started ahead
// handed over or a slot taken (waiting in the queue without a thread), the plugin's launch()
// bounded by --launch-timeout on a launch thread, the session made live; then the next browser
// of the same configuration started ahead.
#pragma once

#include "core/job_executor.h"
#include "plugin/launch_threads.h"
#include "webdriver/client_capability_policy.h"
#include "webdriver/session_lifecycle.h"

#include <chrono>
#include <memory>
#include <rapidjson/document.h>
#include <string>
#include <string_view>

namespace wdh {

// Thread-safe.
class SessionStarter {
public:
  // `sessions` must outlive it.
  explicit SessionStarter(SessionLifecycle& sessions);
  // stop()
  ~SessionStarter();
  SessionStarter(const SessionStarter&) = delete;
  SessionStarter& operator=(const SessionStarter&) = delete;

  // New Session (`body` is the request body) without a thread waiting in the queue: the
  // capabilities are matched on this thread; a request that must wait for a slot holds none
  // (request.clientGone is polled meanwhile), and its launch runs on the job executor. `done`
  // is called exactly once, on this thread or an executor's.
  void startNewSession(std::string body, NewSessionRequest request, NewSessionDone done);
  // startNewSession() waited for on this thread; *sessionId is the id created.
  Status newSession(std::string_view body, const NewSessionRequest& request, std::string* response,
                    std::string* sessionId);

  // Runs launches and what follows a wait in the queue on `jobs` (must outlive this; set before
  // the first New Session). Unset, the starter uses an executor of its own.
  void setJobExecutor(JobExecutor* jobs) noexcept { jobs_ = jobs; }

  // Cancels the launches under way and waits for them at most `bound`; returns how many did not
  // return (they ignored their cancellation). Later launches fail at once.
  std::size_t stop(std::chrono::seconds bound);
  // Plugin launches that did not return within stop()'s bound.
  std::size_t launchesStillRunning() const { return launches_.running(); }

private:
  struct PendingStart;
  // What a launched backend becomes: a live, routable session.
  struct Launched {
    std::shared_ptr<LoadedPlugin> plugin;
    std::string id;
    wdhost_session* handle = nullptr;
    std::string reply;        // launch()'s reply
    std::string capabilities; // what launch() was given
    std::string downloadDir;  // "" without managed downloads
    Slot slot;
  };

  // Matches the capabilities to a plugin and negotiates: fills start->plugin and what it
  // accepted.
  Status choose(std::string_view body, PendingStart* start);
  // A warm browser handed over, or a slot asked for (queueing without a thread).
  void beginStart(const std::shared_ptr<PendingStart>& start);
  // Launches on the slot the start holds, makes the session live and answers.
  void launchAndFinish(const std::shared_ptr<PendingStart>& start);
  // Makes the launched session live and answers `done`.
  void finishStart(const std::shared_ptr<PendingStart>& start);
  // Answers `done` with a failure.
  void failStart(const std::shared_ptr<PendingStart>& start, Status status);
  // launch() on a launch thread, bounded by --launch-timeout (the plugin is told its deadline
  // and cancelled when it passes); on failure nothing of `id` is left.
  Status launchOn(const std::shared_ptr<LoadedPlugin>& plugin, const std::string& id,
                  const std::string& capabilities, wdhost_session** handle, std::string* reply);
  Status becomeLive(Launched launched, SessionTiming timing, LaunchAsks asks,
                    const RecordingAsk& recording, const NewSessionRequest& request,
                    std::string* response);
  // Warm browsers: start one for `key` in the background if a slot is free and none is ready.
  void replenish(const std::shared_ptr<LoadedPlugin>& plugin, const std::string& key,
                 const std::string& accepted, LaunchAsks asks);
  Status hostTiming(const rapidjson::Value& hostCaps, const std::string& accepted,
                    SessionTiming* timing) const;

  SessionLifecycle& sessions_;
  ClientCapabilityPolicy policy_; // what clients may not send, from every plugin's description
  std::unique_ptr<JobExecutor> ownJobs_; // used when no executor was set
  JobExecutor* jobs_ = nullptr;          // runs launches after a wait in the queue
  LaunchThreads launches_; // plugins' launch() calls and warm launches; last: stopped first
};

} // namespace wdh
