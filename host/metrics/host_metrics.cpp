#include "metrics/host_metrics.h"

#include "metrics/process_figures.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace wdh {

struct HostMetrics::Families {
  explicit Families(prometheus::Registry& r)
      : sessions(prometheus::BuildGauge()
                     .Name("wdhost_sessions")
                     .Help("Sessions by plugin and state (starting, active, closing)")
                     .Register(r)),
        sessionsMax(prometheus::BuildGauge()
                        .Name("wdhost_sessions_max")
                        .Help("Sessions the host runs at once (--max-sessions)")
                        .Register(r)),
        queue(prometheus::BuildGauge()
                  .Name("wdhost_queue_length")
                  .Help("New Session requests waiting for a free slot")
                  .Register(r)),
        warm(prometheus::BuildGauge()
                 .Name("wdhost_warm")
                 .Help("Started ahead of New Session: drivers (kind=driver) and whole browsers "
                       "ready to hand over (kind=browser)")
                 .Register(r)),
        draining(prometheus::BuildGauge()
                     .Name("wdhost_draining")
                     .Help("1 while the host drains (takes no new sessions)")
                     .Register(r)),
        created(prometheus::BuildCounter()
                    .Name("wdhost_sessions_created_total")
                    .Help("Sessions started, by plugin")
                    .Register(r)),
        failed(prometheus::BuildCounter()
                   .Name("wdhost_sessions_failed_total")
                   .Help("New Sessions that failed, by plugin and W3C error")
                   .Register(r)),
        closed(prometheus::BuildCounter()
                   .Name("wdhost_sessions_closed_total")
                   .Help("Sessions ended, by plugin and reason (deleted, idle, crashed, shutdown, "
                         "drained)")
                   .Register(r)),
        newSession(prometheus::BuildHistogram()
                       .Name("wdhost_new_session_seconds")
                       .Help("Time to start a session (queue wait and launch), by plugin")
                       .Register(r)),
        commands(prometheus::BuildHistogram()
                     .Name("wdhost_command_seconds")
                     .Help("Time to answer a session command, by plugin and path (relayed to a "
                           "driver, or in_process in the plugin)")
                     .Register(r)),
        handovers(prometheus::BuildCounter()
                      .Name("wdhost_warm_handovers_total")
                      .Help("New Sessions that got a browser started ahead, by plugin")
                      .Register(r)),
        relayErrors(prometheus::BuildCounter()
                        .Name("wdhost_relay_errors_total")
                        .Help("Relayed commands that got no answer from their driver, by plugin")
                        .Register(r)),
        webSockets(prometheus::BuildGauge()
                       .Name("wdhost_websockets")
                       .Help("Relayed BiDi and CDP websockets open")
                       .Register(r)),
        webSocketFrames(prometheus::BuildCounter()
                            .Name("wdhost_websocket_frames_total")
                            .Help("Websocket frames relayed from browsers to clients (BiDi and "
                                  "CDP replies and events)")
                            .Register(r)),
        webSocketBytes(prometheus::BuildCounter()
                           .Name("wdhost_websocket_bytes_total")
                           .Help("Websocket bytes relayed, by direction")
                           .Register(r)),
        webSocketBuffered(prometheus::BuildGauge()
                              .Name("wdhost_websocket_buffered_bytes")
                              .Help("Bytes relayed websockets hold in their buffers now (at most "
                                    "1 MiB per direction)")
                              .Register(r)),
        webSocketReadsHeld(prometheus::BuildGauge()
                               .Name("wdhost_websocket_reads_held")
                               .Help("Websocket directions the host does not read now because "
                                     "their buffer is full (a peer that does not read)")
                               .Register(r)),
        sessionObjects(prometheus::BuildGauge()
                           .Name("wdhost_session_objects")
                           .Help("Session objects alive in the host: live sessions, those being "
                                 "torn down, and any leaked")
                           .Register(r)),
        processes(prometheus::BuildGauge()
                      .Name("wdhost_processes")
                      .Help("Processes the host supervises (drivers, browsers, via wdhost-guard)")
                      .Register(r)),
        rss(prometheus::BuildGauge()
                .Name("wdhost_resident_memory_bytes")
                .Help("Resident memory of the host process itself")
                .Register(r)),
        openFiles(prometheus::BuildGauge()
                      .Name("wdhost_open_files")
                      .Help("Open file descriptors of the host process itself")
                      .Register(r)),
        pluginCrashes(prometheus::BuildGauge()
                          .Name("wdhost_plugin_crashes")
                          .Help("Isolated plugins: how often their helper process crashed or was "
                                "ended for hanging, by plugin")
                          .Register(r)),
        recordingsRunning(prometheus::BuildGauge()
                              .Name("wdhost_recordings_running")
                              .Help("Sessions being recorded now (a video, a log, or both)")
                              .Register(r)),
        recordingsEnded(prometheus::BuildCounter()
                            .Name("wdhost_recordings_ended_total")
                            .Help("Recordings whose session ended, by browser, state (finished, "
                                  "failed), outcome the client said (passed, failed, unknown) "
                                  "and whether they were kept (retain on failure deletes the "
                                  "others)")
                            .Register(r)),
        liveViewers(prometheus::BuildGauge()
                        .Name("wdhost_live_viewers")
                        .Help("People watching sessions live now (the status page, hand-off links)")
                        .Register(r)),
        livePictures(prometheus::BuildCounter()
                         .Name("wdhost_live_pictures_total")
                         .Help("Pictures the live view took from browsers: one per picture, "
                               "however many people watch it")
                         .Register(r)),
        helperResident(prometheus::BuildGauge()
                           .Name("wdhost_plugin_helper_resident_bytes")
                           .Help("Isolated plugins: resident memory of the running helper process "
                                 "(wdhost-plugin-host), by plugin; 0 while none runs")
                           .Register(r)),
        frames(webSocketFrames.Add({})),
        bytesToClient(webSocketBytes.Add({{"direction", "to_client"}})),
        bytesToBrowser(webSocketBytes.Add({{"direction", "to_browser"}})) {}

  prometheus::Family<prometheus::Gauge>& sessions;
  prometheus::Family<prometheus::Gauge>& sessionsMax;
  prometheus::Family<prometheus::Gauge>& queue;
  prometheus::Family<prometheus::Gauge>& warm;
  prometheus::Family<prometheus::Gauge>& draining;
  prometheus::Family<prometheus::Counter>& created;
  prometheus::Family<prometheus::Counter>& failed;
  prometheus::Family<prometheus::Counter>& closed;
  prometheus::Family<prometheus::Histogram>& newSession;
  prometheus::Family<prometheus::Histogram>& commands;
  prometheus::Family<prometheus::Counter>& handovers;
  prometheus::Family<prometheus::Counter>& relayErrors;
  prometheus::Family<prometheus::Gauge>& webSockets;
  prometheus::Family<prometheus::Counter>& webSocketFrames;
  prometheus::Family<prometheus::Counter>& webSocketBytes;
  prometheus::Family<prometheus::Gauge>& webSocketBuffered;
  prometheus::Family<prometheus::Gauge>& webSocketReadsHeld;
  prometheus::Family<prometheus::Gauge>& sessionObjects;
  prometheus::Family<prometheus::Gauge>& processes;
  prometheus::Family<prometheus::Gauge>& rss;
  prometheus::Family<prometheus::Gauge>& openFiles;
  prometheus::Family<prometheus::Gauge>& pluginCrashes;
  prometheus::Family<prometheus::Gauge>& recordingsRunning;
  prometheus::Family<prometheus::Counter>& recordingsEnded;
  prometheus::Family<prometheus::Gauge>& liveViewers;
  prometheus::Family<prometheus::Counter>& livePictures;
  prometheus::Family<prometheus::Gauge>& helperResident;
  prometheus::Counter& frames;
  prometheus::Counter& bytesToClient;
  prometheus::Counter& bytesToBrowser;
};

namespace {

const prometheus::Histogram::BucketBoundaries& newSessionBuckets() {
  static const prometheus::Histogram::BucketBoundaries buckets = {0.1, 0.25, 0.5, 1,  2,
                                                                  4,   8,    16,  32, 64};
  return buckets;
}

const prometheus::Histogram::BucketBoundaries& commandBuckets() {
  static const prometheus::Histogram::BucketBoundaries buckets = {
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  return buckets;
}

// Raises `counter` to `total` (a running total kept elsewhere); counters only go up.
void catchUp(prometheus::Counter& counter, std::uint64_t total) {
  double now = counter.Value();
  if (static_cast<double>(total) > now)
    counter.Increment(static_cast<double>(total) - now);
}

} // namespace

HostMetrics::HostMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      families_(std::make_unique<Families>(*registry_)) {}

HostMetrics::~HostMetrics() = default;

void HostMetrics::sessionCreated(const std::string& plugin, double seconds) {
  families_->created.Add({{"plugin", plugin}}).Increment();
  families_->newSession.Add({{"plugin", plugin}}, newSessionBuckets()).Observe(seconds);
}

void HostMetrics::sessionFailed(const std::string& plugin, std::string_view error) {
  families_->failed.Add({{"plugin", plugin}, {"error", std::string(error)}}).Increment();
}

void HostMetrics::sessionClosed(const std::string& plugin, EndCause cause) {
  families_->closed.Add({{"plugin", plugin}, {"reason", endCauseName(cause)}}).Increment();
}

void HostMetrics::command(const std::string& plugin, CommandPath path, double seconds,
                          bool failed) {
  families_->commands
      .Add({{"plugin", plugin}, {"path", path == CommandPath::Relayed ? "relayed" : "in_process"}},
           commandBuckets())
      .Observe(seconds);
  if (failed)
    families_->relayErrors.Add({{"plugin", plugin}}).Increment();
}

void HostMetrics::warmHandedOver(const std::string& plugin) {
  families_->handovers.Add({{"plugin", plugin}}).Increment();
}

std::string HostMetrics::render(const HostSnapshot& now) {
  std::lock_guard<std::mutex> lock(renderMutex_);
  static constexpr const char* kStates[] = {"starting", "active", "closing"};
  for (const auto& [plugin, counts] : now.sessions)
    for (std::size_t state = 0; state < counts.size(); ++state)
      families_->sessions.Add({{"plugin", plugin}, {"state", kStates[state]}})
          .Set(static_cast<double>(counts[state]));
  families_->sessionsMax.Add({}).Set(static_cast<double>(now.maxSessions));
  families_->queue.Add({}).Set(static_cast<double>(now.queued));
  families_->warm.Add({{"kind", "driver"}}).Set(static_cast<double>(now.warmDrivers));
  families_->warm.Add({{"kind", "browser"}}).Set(static_cast<double>(now.warmBrowsers));
  families_->draining.Add({}).Set(now.draining ? 1 : 0);
  families_->webSockets.Add({}).Set(static_cast<double>(now.webSockets));
  families_->processes.Add({}).Set(static_cast<double>(now.processes));
  families_->webSocketBuffered.Add({}).Set(static_cast<double>(now.webSocketBytesBuffered));
  families_->webSocketReadsHeld.Add({}).Set(static_cast<double>(now.webSocketReadsHeld));
  families_->sessionObjects.Add({}).Set(static_cast<double>(now.sessionObjects));
  catchUp(families_->frames, now.webSocketFramesToClient);
  catchUp(families_->bytesToClient, now.webSocketBytesToClient);
  catchUp(families_->bytesToBrowser, now.webSocketBytesToBrowser);
  ProcessFigures self = readOwnFigures();
  families_->rss.Add({}).Set(static_cast<double>(self.residentBytes));
  families_->openFiles.Add({}).Set(static_cast<double>(self.openFiles));
  families_->recordingsRunning.Add({}).Set(static_cast<double>(now.recordingsRunning));
  for (const auto& [key, count] : now.recordingsEnded)
    catchUp(families_->recordingsEnded.Add(
                {{"browser", key[0]}, {"state", key[1]}, {"outcome", key[2]}, {"kept", key[3]}}),
            count);
  families_->liveViewers.Add({}).Set(static_cast<double>(now.liveViewers));
  catchUp(families_->livePictures.Add({}), now.livePictures);
  for (const auto& [plugin, figures] : now.isolated) {
    families_->pluginCrashes.Add({{"plugin", plugin}}).Set(static_cast<double>(figures.first));
    families_->helperResident.Add({{"plugin", plugin}})
        .Set(static_cast<double>(residentBytesOf(static_cast<unsigned long>(figures.second))));
  }
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

} // namespace wdh
