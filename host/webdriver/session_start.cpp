// New Session once a plugin is chosen: a warm browser handed over, or a slot, a launch bounded
// by --launch-timeout, and the reply turned into a live session; then a warm browser started
// ahead for the next New Session of the same configuration.
#include "core/log.h"
#include "core/uuid.h"
#include "process/process_supervisor.h"
#include "process/temp_dirs.h"
#include "webdriver/capabilities.h"
#include "webdriver/matching.h"
#include "webdriver/recording_capabilities.h"
#include "webdriver/session_starter.h"
#include "webdriver/trace_capabilities.h"
#include "webdriver/websocket_capabilities.h"

#include "json/json.h"
#include <algorithm>
#include <future>
#include <tuple>

namespace wdh {
namespace {

// `accepted` (the capabilities a plugin accepted) with "wdhost:downloadDir" set to `dir`, for
// a plugin whose description says it honours it.
std::string withDownloadDir(const std::string& accepted, const std::string& dir) {
  rapidjson::Document caps;
  if (!parseJsonObject(accepted, &caps).isOk())
    return accepted;
  caps.RemoveMember("wdhost:downloadDir");
  caps.AddMember("wdhost:downloadDir", rapidjson::Value(dir.c_str(), caps.GetAllocator()),
                 caps.GetAllocator());
  return toJson(caps);
}

// The launch configuration a warm browser is kept for: the plugin, what it accepted (normalised
// by its negotiate()), and whether the host gives it a download directory.
std::string warmKey(const std::string& plugin, const std::string& accepted, LaunchAsks asks) {
  return plugin + "\n" + (asks.downloads ? "downloads\n" : "\n") + accepted;
}

std::string msBetween(std::chrono::steady_clock::time_point from,
                      std::chrono::steady_clock::time_point to) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count());
}

double secondsSince(std::chrono::steady_clock::time_point then) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - then).count();
}

constexpr const char* kSessionTimeoutCap = "wdhost:sessionTimeout";
constexpr const char* kLiveViewCap = "wdhost:liveView";

// Reads wdhost:liveView from `hostCaps`: true, false, or {"control": bool, "expiresIn": seconds}.
Status takeLiveViewAsk(const rapidjson::Value& hostCaps, LiveViewAsk* ask) {
  auto it = hostCaps.FindMember(kLiveViewCap);
  if (it == hostCaps.MemberEnd())
    return Status::ok();
  const rapidjson::Value& value = it->value;
  auto wrong = [&value](const std::string& what) {
    return Status(ErrorCode::InvalidArgument,
                  std::string(kLiveViewCap) + ": " + what + ", not " + toJson(value));
  };
  if (value.IsBool()) {
    ask->asked = value.GetBool();
    return Status::ok();
  }
  if (!value.IsObject())
    return wrong("true, or {\"control\": true|false, \"expiresIn\": seconds}");
  ask->asked = true;
  for (const auto& member : value.GetObject()) {
    std::string_view key(member.name.GetString(), member.name.GetStringLength());
    if (key == "control" && member.value.IsBool())
      ask->control = member.value.GetBool();
    else if (key == "expiresIn" && member.value.IsUint64() && member.value.GetUint64() >= 1 &&
             member.value.GetUint64() <= 24 * 3600)
      ask->lifetime = std::chrono::seconds(member.value.GetUint64());
    else
      return wrong("its members are \"control\" (true or false) and \"expiresIn\" (1 to "
                   "86400 seconds)");
  }
  return Status::ok();
}

std::chrono::milliseconds timeoutOf(const rapidjson::Value& timeouts, const char* key,
                                    std::chrono::milliseconds fallback) {
  auto it = timeouts.FindMember(key);
  if (it == timeouts.MemberEnd())
    return fallback;
  if (it->value.IsNull())
    return std::chrono::hours(24);
  if (it->value.IsUint64())
    return std::chrono::milliseconds(
        std::min<std::uint64_t>(it->value.GetUint64(), 24ULL * 3600 * 1000));
  return fallback;
}

// Where `session`'s browser is shown, from its plugin's "wdhost.display/1": an X display ":N"
// (with an optional ".S" screen) and its size, or nothing (source left empty).
Status displayOf(const Session& session, RecordingSource* source) {
  std::string json;
  Status status = session.display(&json);
  if (!status.isOk())
    return Status(ErrorCode::SessionNotCreated,
                  "cannot ask where the session is shown: " + status.message());
  rapidjson::Document doc;
  if (!parseJson(json, &doc).isOk() || doc.IsNull())
    return Status::ok();
  auto x11 = doc.IsObject() ? doc.FindMember("x11") : doc.MemberEnd();
  auto width = doc.IsObject() ? doc.FindMember("width") : doc.MemberEnd();
  auto height = doc.IsObject() ? doc.FindMember("height") : doc.MemberEnd();
  bool valid = doc.IsObject() && x11 != doc.MemberEnd() && x11->value.IsString() &&
               width != doc.MemberEnd() && width->value.IsInt() && width->value.GetInt() >= 16 &&
               width->value.GetInt() <= 7680 && height != doc.MemberEnd() &&
               height->value.IsInt() && height->value.GetInt() >= 16 &&
               height->value.GetInt() <= 7680;
  std::string_view name = valid ? x11->value.GetString() : "";
  valid = valid && name.size() >= 2 && name.size() <= 16 && name.front() == ':' &&
          std::all_of(name.begin() + 1, name.end(),
                      [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
  if (!valid)
    return Status(ErrorCode::SessionNotCreated,
                  session.plugin().name() +
                      ": its wdhost.display/1 answer is not {\"x11\": \":N\", \"width\": W, "
                      "\"height\": H}: " +
                      json.substr(0, 200));
  source->x11 = std::string(name);
  source->width = width->value.GetInt();
  source->height = height->value.GetInt();
  return Status::ok();
}

// "wdhost:recording": {"video": URL, "file": NAME, "log": URL, "logFile": NAME} in the New
// Session answer (each pair only when kept); URLs on the host's own address (`base`,
// "ws://host:port..." as the client reached it).
void addRecordingCapability(rapidjson::Value* caps, rapidjson::Document::AllocatorType& alloc,
                            std::string_view base, const RecordingFiles& files) {
  std::string http(base);
  if (http.rfind("ws", 0) == 0)
    http.replace(0, 2, "http");
  rapidjson::Value value(rapidjson::kObjectType);
  auto add = [&](const char* urlKey, const char* fileKey, const std::string& file) {
    if (file.empty())
      return;
    std::string url = http + "/wdhost/recordings/" + file;
    value.AddMember(rapidjson::StringRef(urlKey), rapidjson::Value(url.c_str(), alloc), alloc);
    value.AddMember(rapidjson::StringRef(fileKey), rapidjson::Value(file.c_str(), alloc), alloc);
  };
  add("video", "file", files.video);
  add("log", "logFile", files.log);
  caps->RemoveMember("wdhost:recording");
  caps->AddMember("wdhost:recording", value, alloc);
}

std::vector<wdhost::GuardedCapabilities> guardsOf(const PluginRegistry& registry) {
  std::vector<wdhost::GuardedCapabilities> guards;
  for (const auto& plugin : registry.plugins())
    if (!plugin->description().guarded.empty())
      guards.push_back(plugin->description().guarded);
  return guards;
}

} // namespace

// A New Session on its way: what was chosen, what it holds, and whom to answer.
struct SessionStarter::PendingStart {
  NewSessionRequest request;
  NewSessionDone done;
  std::shared_ptr<LoadedPlugin> plugin; // chosen by choose()
  std::string accepted;                 // what the plugin's negotiate() accepted
  SessionTiming timing;
  LaunchAsks asks;
  std::string key;        // its warm-browser configuration
  RecordingAsk recording; // what it asked of the recorder
  Launched launched;
  bool warm = false; // a browser started ahead was handed over
  // Where the time goes, for the log: the wait for a slot, the plugin's launch, the rest.
  std::chrono::steady_clock::time_point asked, slotted, launchedAt;
};

Status SessionStarter::choose(std::string_view body, PendingStart* start) {
  const NewSessionRequest& newRequest = start->request;
  if (!newRequest.sessionId.empty() && sessions_.find(newRequest.sessionId))
    return Status(ErrorCode::SessionNotCreated,
                  "a session with the id " + newRequest.sessionId + " is already live");
  rapidjson::Document request;
  Status status = parseJsonObject(body, &request);
  if (!status.isOk())
    return status;
  std::vector<rapidjson::Document> sets;
  status = mergeCapabilities(request, &sets);
  if (!status.isOk())
    return status;
  // A client's capabilities reach no plugin before every set passed the policy.
  if (!newRequest.hostMadeCapabilities)
    for (const rapidjson::Document& caps : sets) {
      status = policy_.check(caps);
      if (!status.isOk()) {
        log(LogLevel::Info, "session",
            "refused a New Session from " +
                (newRequest.clientAddress.empty() ? std::string("a client")
                                                  : newRequest.clientAddress) +
                ": " + status.message());
        return status;
      }
    }

  std::string cannotDownload;
  for (rapidjson::Document& caps : sets) {
    rapidjson::Document hostCaps;
    extractHostCapabilities(&caps, &hostCaps);
    RecordingAsk recording;
    status = takeRecordingAsk(&caps, hostCaps, &recording);
    if (!status.isOk())
      return status;
    LiveViewAsk liveView;
    status = takeLiveViewAsk(hostCaps, &liveView);
    if (!status.isOk())
      return status;
    if (liveView.asked && sessions_.liveLinks() == nullptr)
      return Status(ErrorCode::SessionNotCreated,
                    std::string(kLiveViewCap) + ": this host serves no live view");
    TraceAsk trace;
    status = takeTraceAsk(hostCaps, &trace);
    if (!status.isOk())
      return status;
    if (trace.mode.value_or(TraceMode::Off) != TraceMode::Off && sessions_.tracer() == nullptr)
      return Status(ErrorCode::SessionNotCreated,
                    std::string(kTraceCap) + ": this host traces no session");
    bool downloadsAsked = false;
    auto downloads = hostCaps.FindMember(kDownloadsEnabledCap);
    if (downloads != hostCaps.MemberEnd()) {
      if (!downloads->value.IsBool())
        return Status(ErrorCode::InvalidArgument, std::string(kDownloadsEnabledCap) +
                                                      " must be true or false, not " +
                                                      toJson(downloads->value));
      downloadsAsked = downloads->value.GetBool();
    }
    std::string capsJson = toJson(caps);
    for (const auto& plugin : sessions_.registry().plugins()) {
      if (!matchesPlugin(caps, plugin->description()))
        continue;
      if (downloadsAsked && !plugin->description().downloads) {
        cannotDownload += (cannotDownload.empty() ? "" : ", ") + plugin->name();
        continue;
      }
      bool matched = false;
      std::string accepted;
      status = plugin->negotiate(capsJson, &matched, &accepted);
      if (!status.isOk())
        return status;
      if (!matched)
        continue;
      status = hostTiming(hostCaps, accepted, &start->timing);
      if (!status.isOk())
        return status;
      auto asked = caps.FindMember("webSocketUrl");
      bool bidiAsked = asked != caps.MemberEnd() && asked->value.IsTrue();
      start->plugin = plugin;
      start->accepted = std::move(accepted);
      start->asks = LaunchAsks{bidiAsked, downloadsAsked, liveView, trace};
      start->recording = std::move(recording);
      return Status::ok();
    }
  }
  std::string asked;
  for (const rapidjson::Document& caps : sets)
    asked += (asked.empty() ? "" : " or ") + toJson(caps);
  return Status(ErrorCode::SessionNotCreated,
                "no plugin matches the capabilities " + asked + "; this host offers " +
                    describeOffer(sessions_.registry().plugins()) +
                    (cannotDownload.empty() ? ""
                                            : "; " + cannotDownload + " cannot manage downloads (" +
                                                  kDownloadsEnabledCap + ")"));
}

void SessionStarter::startNewSession(std::string body, NewSessionRequest request,
                                     NewSessionDone done) {
  auto start = std::make_shared<PendingStart>();
  start->request = std::move(request);
  start->done = std::move(done);
  start->asked = std::chrono::steady_clock::now();
  Status status = choose(body, start.get());
  if (!status.isOk())
    return failStart(start, std::move(status));
  beginStart(start);
}

void SessionStarter::failStart(const std::shared_ptr<PendingStart>& start, Status status) {
  std::string plugin = start->plugin ? start->plugin->name() : "none";
  sessions_.tell([&](SessionEvents& o) { o.sessionFailed(plugin, status.name()); });
  NewSessionDone done = std::move(start->done);
  done(std::move(status), {}, {});
}

void SessionStarter::beginStart(const std::shared_ptr<PendingStart>& start) {
  const std::shared_ptr<LoadedPlugin>& plugin = start->plugin;
  start->key = warmKey(plugin->name(), start->accepted, start->asks);
  Launched& launched = start->launched;
  launched.plugin = plugin;
  launched.id = start->request.sessionId.empty() ? randomUuid() : start->request.sessionId;
  start->slotted = start->launchedAt = start->asked;
  // A browser of this configuration started ahead, or still starting (then ready soonest).
  std::unique_ptr<WarmBrowser> warm =
      sessions_.warm().takeOrWait(start->key, sessions_.settings().launchTimeout);
  if (warm) {
    // Handed over whole: its processes and files are the session's from now on.
    if (sessions_.services().processes != nullptr)
      sessions_.services().processes->reassignOwner(warm->placeholderId, launched.id);
    if (sessions_.services().tempDirs != nullptr)
      sessions_.services().tempDirs->reassignOwner(warm->placeholderId, launched.id);
    launched.handle = warm->handle;
    launched.reply = std::move(warm->reply);
    launched.downloadDir = std::move(warm->downloadDir);
    launched.slot = std::move(warm->slot);
    launched.capabilities = start->asks.downloads
                                ? withDownloadDir(start->accepted, launched.downloadDir)
                                : start->accepted;
    start->warm = true;
    sessions_.tell([&](SessionEvents& o) { o.warmHandedOver(plugin->name()); });
    return finishStart(start);
  }
  // A real New Session wins a slot over a browser started ahead: torn down here, so that its
  // slot is free for this request (queue or not).
  if (!sessions_.slots().hasFreeSlot(plugin->name())) {
    std::unique_ptr<WarmBrowser> evicted = sessions_.warm().takeOldest();
    // One still starting holds its slot until it is up; then it goes.
    if (!evicted && sessions_.warm().starting() > 0 &&
        sessions_.warm().waitForLaunches(sessions_.settings().launchTimeout))
      evicted = sessions_.warm().takeOldest();
    if (evicted)
      sessions_.closeSession(SessionLifecycle::asSession(std::move(evicted)));
  }
  // The slot may come at once (this thread goes on with the launch) or later, on the thread
  // that frees one: the launch then runs on the job executor, and nobody waits meanwhile.
  struct Handoff {
    std::mutex mutex;
    bool asking = true;   // acquireAsync() has not returned yet
    bool granted = false; // it was granted while asking
  };
  auto handoff = std::make_shared<Handoff>();
  SlotWait wait{sessions_.settings().queueTimeout, sessions_.settings().returningWait};
  sessions_.slots().acquireAsync(plugin->name(), wait, start->request.clientGone,
                                 [this, start, handoff](Status status, Slot slot) {
                                   if (status.isOk())
                                     start->launched.slot = std::move(slot);
                                   {
                                     std::lock_guard<std::mutex> lock(handoff->mutex);
                                     if (handoff->asking && status.isOk()) {
                                       handoff->granted = true;
                                       return;
                                     }
                                   }
                                   jobs_->submit(
                                       [this, start, status = std::move(status)]() mutable {
                                         if (status.isOk())
                                           launchAndFinish(start);
                                         else
                                           failStart(start, std::move(status));
                                       });
                                 });
  bool grantedHere = false;
  {
    std::lock_guard<std::mutex> lock(handoff->mutex);
    handoff->asking = false;
    grantedHere = handoff->granted;
  }
  if (grantedHere)
    launchAndFinish(start);
}

void SessionStarter::launchAndFinish(const std::shared_ptr<PendingStart>& start) {
  const std::shared_ptr<LoadedPlugin>& plugin = start->plugin;
  Launched& launched = start->launched;
  std::shared_ptr<void> starting = sessions_.countStarting(plugin->name());
  launched.capabilities = start->accepted;
  if (start->asks.downloads) {
    Status status = sessions_.services().tempDirs == nullptr
                        ? Status(ErrorCode::SessionNotCreated, "this host has no temp directory")
                        : sessions_.services().tempDirs->create(launched.id, "downloads",
                                                                &launched.downloadDir);
    if (!status.isOk())
      return failStart(
          start, Status(ErrorCode::SessionNotCreated,
                        "cannot create the session's download directory: " + status.message()));
    launched.capabilities = withDownloadDir(start->accepted, launched.downloadDir);
  }
  start->slotted = std::chrono::steady_clock::now();
  Status status =
      launchOn(plugin, launched.id, launched.capabilities, &launched.handle, &launched.reply);
  if (!status.isOk())
    return failStart(start, std::move(status));
  start->launchedAt = std::chrono::steady_clock::now();
  finishStart(start);
}

void SessionStarter::finishStart(const std::shared_ptr<PendingStart>& start) {
  const std::shared_ptr<LoadedPlugin>& plugin = start->plugin;
  std::string id = start->launched.id;
  std::string response;
  Status status = becomeLive(std::move(start->launched), start->timing, start->asks,
                             start->recording, start->request, &response);
  if (!status.isOk())
    return failStart(start, std::move(status));
  double took = secondsSince(start->asked);
  sessions_.tell([&](SessionEvents& o) { o.sessionCreated(plugin->name(), took); });
  auto ms = static_cast<std::int64_t>(took * 1000);
  log(LogLevel::Info, "session",
      "created " + id + " on " + plugin->name() + " in " + std::to_string(ms) + " ms" +
          (start->warm
               ? " (a browser started ahead)"
               : " (slot " + msBetween(start->asked, start->slotted) + " ms, launch " +
                     msBetween(start->slotted, start->launchedAt) + " ms, host " +
                     msBetween(start->launchedAt, std::chrono::steady_clock::now()) + " ms)"),
      LogFields{id, plugin->name(), ms});
  // A session with a network of its own (the sessions API's proxy) is not a configuration
  // that comes back.
  if (!start->request.attachment)
    replenish(plugin, start->key, start->accepted, start->asks);
  NewSessionDone done = std::move(start->done);
  done(Status::ok(), std::move(response), std::move(id));
}

Status SessionStarter::launchOn(const std::shared_ptr<LoadedPlugin>& plugin, const std::string& id,
                                const std::string& capabilities, wdhost_session** handle,
                                std::string* reply) {
  // launch() runs on a thread of its own, told its deadline through the call context (a
  // reserve before --launch-timeout, so that the plugin's own error arrives first); a plugin
  // that hangs cannot hold this request past --launch-timeout, nor host exit: the host cancels
  // it and cleans up after it whenever it returns.
  bool timedOut = false;
  LaunchOutcome outcome =
      launches_.launch(plugin, id, capabilities,
                       LaunchBounds::forTimeout(sessions_.settings().launchTimeout), &timedOut);
  if (!outcome.status.isOk() && timedOut) {
    sessions_.reclaim(id); // its processes end now, which also ends the plugin's waits on them
    log(LogLevel::Warn, "session",
        id + " on " + plugin->name() + ": launch exceeded --launch-timeout; cancelled",
        LogFields{id, plugin->name()});
    return Status(ErrorCode::SessionNotCreated,
                  plugin->name() + " did not start a session within " +
                      std::to_string(sessions_.settings().launchTimeout.count() / 1000) +
                      " s (--launch-timeout); everything it started was stopped");
  }
  if (!outcome.status.isOk()) {
    sessions_.reclaim(id);
    log(LogLevel::Warn, "session",
        id + " on " + plugin->name() + ": new session failed: " + outcome.status.message(),
        LogFields{id, plugin->name()});
    return outcome.status;
  }
  *handle = outcome.handle;
  *reply = std::move(outcome.reply);
  return Status::ok();
}

Status SessionStarter::becomeLive(Launched launched, SessionTiming timing, LaunchAsks asks,
                                  const RecordingAsk& recording,
                                  const NewSessionRequest& newRequest, std::string* response) {
  const std::shared_ptr<LoadedPlugin>& plugin = launched.plugin;
  const std::string& id = launched.id;
  rapidjson::Document doc;
  Status parsed = parseJsonObject(launched.reply, &doc);
  std::unique_ptr<Upstream> upstream;
  LaunchedSockets sockets;
  sockets.bidiAsked = asks.bidi;
  if (parsed.isOk()) {
    auto cdp = doc.FindMember("cdp");
    if (cdp != doc.MemberEnd() && cdp->value.IsString())
      sockets.cdp = cdp->value.GetString();
    auto caps = doc.FindMember("capabilities");
    if (caps == doc.MemberEnd() || !caps->value.IsObject())
      parsed = Status(ErrorCode::SessionNotCreated, "no \"capabilities\" object");
    auto url = doc.FindMember("upstream");
    if (parsed.isOk() && url != doc.MemberEnd()) {
      if (!url->value.IsString())
        parsed = Status(ErrorCode::SessionNotCreated, "\"upstream\" is not a string");
      else
        parsed = Upstream::create(url->value.GetString(), &upstream);
    } else if (parsed.isOk() && !plugin->hasCommand()) {
      parsed =
          Status(ErrorCode::SessionNotCreated, "no \"upstream\" and no in-process command hook");
    }
  }
  auto session = std::make_shared<Session>(id, plugin, launched.handle, std::move(upstream),
                                           std::move(launched.slot), timing, newRequest.attachment);
  if (!parsed.isOk()) {
    sessions_.closeSession(session);
    return Status(ErrorCode::SessionNotCreated,
                  plugin->name() + ": launch returned a malformed reply: " + parsed.message());
  }

  rapidjson::Document requested;
  if (!parseJsonObject(launched.capabilities, &requested).isOk())
    requested.SetObject();
  const PluginDescription& description = plugin->description();
  ServedBrowser served{description.browserName,
                       description.browsers.empty() ? "" : description.browsers.front().version,
                       description.platformName};
  completeReturnedCapabilities(&doc["capabilities"], doc.GetAllocator(), requested, served);
  if (asks.downloads) {
    doc["capabilities"].RemoveMember(kDownloadsEnabledCap);
    doc["capabilities"].AddMember(rapidjson::StringRef(kDownloadsEnabledCap), true,
                                  doc.GetAllocator());
    session->setDownloadDir(launched.downloadDir);
  }
  SessionOrigin origin;
  origin.api = newRequest.api;
  origin.client = newRequest.clientAddress;
  origin.created = std::chrono::system_clock::now();
  auto version = doc["capabilities"].FindMember("browserVersion");
  if (version != doc["capabilities"].MemberEnd() && version->value.IsString())
    origin.browserVersion = version->value.GetString();
  session->setOrigin(std::move(origin));
  session->setSockets(exposeWebSockets(&doc["capabilities"], doc.GetAllocator(), sockets,
                                       newRequest.webSocketBase, id));
  Recordings* recordings = sessions_.recordings();
  bool video = recordings != nullptr && recordings->wanted(recording);
  bool logs = recordings != nullptr && recordings->wantedLogs(recording);
  if (video || logs) {
    RecordingFiles files;
    RecordingSource source;
    source.cdp = session->sockets().cdp;
    Status display = video && source.cdp.empty() ? displayOf(*session, &source) : Status::ok();
    bool videoToo = video && display.isOk();
    Status recorded = videoToo || logs ? recordings->start(id, description.browserName, source,
                                                           recording, videoToo, logs, &files)
                                       : Status::ok();
    std::string noVideo = !display.isOk()    ? display.message()
                          : !recorded.isOk() ? recorded.message()
                                             : files.videoError;
    if (video && files.video.empty() && recording.video.value_or(false)) {
      sessions_.closeSession(session);
      return Status(ErrorCode::SessionNotCreated, noVideo); // asked for by name
    }
    if (!recorded.isOk() && recording.logs.value_or(false)) {
      sessions_.closeSession(session);
      return recorded;
    }
    if (!files.video.empty() || !files.log.empty())
      addRecordingCapability(&doc["capabilities"], doc.GetAllocator(), newRequest.webSocketBase,
                             files);
    if (video && files.video.empty())
      log(LogLevel::Info, "session", id + ": not recorded: " + noVideo,
          LogFields{id, plugin->name()});
  }

  rapidjson::Document out(rapidjson::kObjectType);
  auto& alloc = out.GetAllocator();
  rapidjson::Value value(rapidjson::kObjectType);
  value.AddMember("sessionId", rapidjson::Value(id.c_str(), alloc), alloc);
  value.AddMember("capabilities", rapidjson::Value(doc["capabilities"], alloc), alloc);
  out.AddMember("value", value, alloc);
  if (!sessions_.sessions().add(session)) {
    sessions_.closeSession(session);
    return Status(ErrorCode::SessionNotCreated,
                  sessions_.sessions().closed()
                      ? std::string(kHostShuttingDown)
                      : "a session with the id " + id + " became live meanwhile");
  }
  if (CommandTracer* tracer = sessions_.tracer()) {
    // Before the client has its id: its first command is traced.
    bool traced = false;
    Status began = tracer->begin(session, description.browserName, asks.trace, &traced);
    if (!began.isOk()) {
      if (auto taken = sessions_.sessions().take(id, "its trace could not begin"))
        sessions_.closeSession(taken);
      return began;
    }
    if (traced) {
      std::string url = newRequest.webSocketBase + "/wdhost/traces/" + id;
      if (url.rfind("ws", 0) == 0)
        url.replace(0, 2, "http");
      out["value"]["capabilities"].AddMember("wdhost:traceUrl",
                                             rapidjson::Value(url.c_str(), alloc), alloc);
    }
  }
  if (asks.liveView.asked) {
    // The session is live now: the link can name it. A link that cannot be made costs the
    // client nothing but the field.
    std::string secret;
    Status issued = sessions_.liveLinks()->issueLink(id, asks.liveView, &secret);
    if (issued.isOk()) {
      std::string url = newRequest.webSocketBase + "/live#" + secret;
      if (url.rfind("ws", 0) == 0)
        url.replace(0, 2, "http");
      out["value"]["capabilities"].AddMember("wdhost:liveViewUrl",
                                             rapidjson::Value(url.c_str(), alloc), alloc);
    } else {
      log(LogLevel::Warn, "session", id + ": no live view link: " + issued.message(),
          LogFields{id, plugin->name()});
    }
  }
  *response = toJson(out);
  return Status::ok();
}

void SessionStarter::replenish(const std::shared_ptr<LoadedPlugin>& plugin, const std::string& key,
                               const std::string& accepted, LaunchAsks asks) {
  if (sessions_.settings().warmBrowsers == 0 || !plugin->description().startsAhead ||
      sessions_.draining() || !sessions_.warm().beginLaunch(key, sessions_.settings().warmBrowsers))
    return;
  // Only into a free slot, never ahead of a queued New Session.
  auto browser = std::make_unique<WarmBrowser>();
  if (!sessions_.slots()
           .acquire(plugin->name(), std::chrono::milliseconds(0), {}, &browser->slot)
           .isOk()) {
    sessions_.warm().endLaunch(key, nullptr);
    return;
  }
  browser->key = key;
  browser->plugin = plugin;
  browser->placeholderId = "warm-" + randomUuid();
  // On a launch thread the host owns: host exit cancels it and waits for it a bounded time.
  bool started = launches_.run([this, accepted, asks,
                                browser = std::shared_ptr<WarmBrowser>(std::move(browser))] {
    const std::string id = browser->placeholderId;
    std::string capabilities = accepted;
    Status status;
    if (asks.downloads) {
      status = sessions_.services().tempDirs == nullptr
                   ? Status(ErrorCode::UnknownError, "no temp directory")
                   : sessions_.services().tempDirs->create(id, "downloads", &browser->downloadDir);
      capabilities = withDownloadDir(accepted, browser->downloadDir);
    }
    if (status.isOk())
      status = launchOn(browser->plugin, id, capabilities, &browser->handle, &browser->reply);
    const std::string launchKey = browser->key;
    if (!status.isOk()) {
      sessions_.reclaim(id);
      sessions_.warm().endLaunch(launchKey, nullptr);
      log(LogLevel::Warn, "session", "a browser started ahead failed: " + status.message(),
          LogFields{{}, browser->plugin->name()});
      return;
    }
    browser->ready = std::chrono::steady_clock::now();
    log(LogLevel::Debug, "session", browser->plugin->name() + ": a browser is started ahead",
        LogFields{{}, browser->plugin->name()});
    // Handed back when the host closed meanwhile: torn down at once.
    auto whole = std::make_unique<WarmBrowser>(std::move(*browser));
    if (std::unique_ptr<WarmBrowser> unused =
            sessions_.warm().endLaunch(launchKey, std::move(whole)))
      sessions_.discardWarm(std::move(unused));
  });
  if (!started)
    sessions_.warm().endLaunch(key, nullptr); // the host is stopping: this launch never starts
}

SessionStarter::SessionStarter(SessionLifecycle& sessions)
    : sessions_(sessions),
      policy_(guardsOf(sessions.registry()), sessions.settings().allowClientBinaries),
      ownJobs_(std::make_unique<JobExecutor>(64)), jobs_(ownJobs_.get()),
      launches_([&sessions](const std::string& id) { sessions.reclaim(id); }) {}

SessionStarter::~SessionStarter() {
  stop(std::chrono::seconds(10));
}

std::size_t SessionStarter::stop(std::chrono::seconds bound) {
  return launches_.stop(bound);
}

Status SessionStarter::hostTiming(const rapidjson::Value& hostCaps, const std::string& accepted,
                                  SessionTiming* timing) const {
  timing->idleTimeout = sessions_.settings().idleTimeout;
  auto it = hostCaps.FindMember(kSessionTimeoutCap);
  if (it != hostCaps.MemberEnd()) {
    std::uint64_t max = static_cast<std::uint64_t>(sessions_.settings().maxIdleTimeout.count());
    if (!it->value.IsUint64() || it->value.GetUint64() == 0 || it->value.GetUint64() > max)
      return Status(ErrorCode::InvalidArgument,
                    std::string(kSessionTimeoutCap) +
                        " must be a whole number of seconds from 1 to " + std::to_string(max) +
                        " (--max-session-timeout), not " + toJson(it->value));
    timing->idleTimeout = std::chrono::seconds(it->value.GetUint64());
  }
  rapidjson::Document caps;
  if (parseJsonObject(accepted, &caps).isOk()) {
    auto timeouts = caps.FindMember("timeouts");
    if (timeouts != caps.MemberEnd() && timeouts->value.IsObject()) {
      timing->scriptTimeout = timeoutOf(timeouts->value, "script", timing->scriptTimeout);
      timing->pageLoadTimeout = timeoutOf(timeouts->value, "pageLoad", timing->pageLoadTimeout);
      timing->implicitTimeout = timeoutOf(timeouts->value, "implicit", timing->implicitTimeout);
    }
  }
  return Status::ok();
}

Status SessionStarter::newSession(std::string_view body, const NewSessionRequest& newRequest,
                                  std::string* response, std::string* sessionId) {
  std::promise<std::tuple<Status, std::string, std::string>> promised;
  auto result = promised.get_future();
  startNewSession(std::string(body), newRequest,
                  [&promised](Status status, std::string answer, std::string id) {
                    promised.set_value({std::move(status), std::move(answer), std::move(id)});
                  });
  auto [status, answer, id] = result.get();
  if (status.isOk()) {
    *response = std::move(answer);
    *sessionId = std::move(id);
  }
  return status;
}

} // namespace wdh
