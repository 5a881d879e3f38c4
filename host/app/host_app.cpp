#include "app/host_app.h"

#include "app/built_plugins.h"
#include "app/grid_relay_config.h"
#include "app/host_routes.h"
#include "core/job_executor.h"
#include "core/log.h"
#include "core/scope_exit.h"
#include "http/auth.h"
#include "metrics/host_metrics.h"
#include "plugin/plugin_registry.h"
#include "process/process_supervisor.h"
#include "process/temp_dirs.h"
#include "proxy/target_policy.h"
#include "recording/recordings.h"
#include "recording/video_encoder.h"
#include "server/http_server.h"
#include "session/session_map.h"
#include "sessions_api/sessions_api.h"
#include "trace/traces.h"
#include "webdriver/session_service.h"
#include "webdriver/trace_capabilities.h"

#include <Poco/Exception.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/URI.h>
#include <algorithm>
#include <atomic>
#include <boost/dll/runtime_symbol_info.hpp>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <pthread.h>
#include <sys/resource.h>
#include <thread>

#ifndef WDHOST_PLUGIN_SUBDIR
#error "WDHOST_PLUGIN_SUBDIR must be defined by the build"
#endif

namespace wdh {
namespace {

// Blocks the termination and drain signals in this thread and every thread started after it, so
// that only the main thread receives them, through sigwait().
sigset_t blockTerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  return set;
}

std::string binaryDir() {
  boost::dll::fs::error_code error;
  auto path = boost::dll::program_location(error);
  return error ? std::string(".") : path.parent_path().string();
}

void printPlugins(const PluginRegistry& registry) {
  for (const auto& plugin : registry.plugins()) {
    const PluginIdentity& id = plugin->identity();
    std::cout << plugin->name() << " " << id.version << " (" << id.id << ", ABI 1." << id.abiMinor
              << ") from " << id.path << "\n";
    const PluginDescription& d = plugin->description();
    for (const InstalledBrowser& browser : d.browsers)
      std::cout << "  browserName " << d.browserName << ": " << browser.name << " "
                << browser.version << " at " << browser.path << "\n";
    std::cout << "  describe: " << d.toJson() << "\n";
  }
  for (const SkippedPlugin& skipped : registry.skipped())
    std::cout << "skipped " << skipped.path
              << (skipped.name.empty() ? "" : " (" + skipped.name + ")") << ": " << skipped.reason
              << "\n";
  if (registry.plugins().empty() && registry.skipped().empty())
    std::cout << "no plugins found\n";
}

// Raises the soft limit on open files to the hard one (at most 1M): each session costs a
// client and an upstream connection, and the usual soft limit of 1024 caps a host near 500.
void raiseOpenFileLimit() {
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) != 0)
    return;
  rlim_t wanted = std::min<rlim_t>(files.rlim_max, 1 << 20);
  if (files.rlim_cur >= wanted)
    return;
  files.rlim_cur = wanted;
  if (setrlimit(RLIMIT_NOFILE, &files) != 0)
    log(LogLevel::Warn, "host",
        std::string("cannot raise the open-file limit: ") + strerror(errno));
}

// Prints the Grid node config for the loaded plugins; the exit code.
int printGridRelayConfig(const PluginRegistry& registry, const HostOptions& options,
                         std::size_t maxSessions) {
  RelayTarget target;
  target.url = relayUrl(options.publicUrl, options.host, options.port);
  if (target.url.empty()) {
    log(LogLevel::Error, "host",
        "--grid-relay-config needs the address a relay node reaches this host at: a fixed "
        "--port (not 0) or --public-url");
    return 2;
  }
  if (registry.plugins().empty()) {
    log(LogLevel::Error, "host", "--grid-relay-config: no browser plugin is loaded");
    return 1;
  }
  target.maxSessions = maxSessions;
  target.sessionTimeout = std::max(options.sessionTimeout, options.launchTimeout + 10);
  for (const auto& plugin : registry.plugins()) {
    const PluginDescription& d = plugin->description();
    RelayStereotype stereotype{d.browserName, d.platformName, d.downloads, maxSessions};
    auto limit = options.maxSessionsPerPlugin.find(plugin->name());
    if (limit != options.maxSessionsPerPlugin.end())
      stereotype.slots = std::min(limit->second, maxSessions);
    target.stereotypes.push_back(stereotype);
  }
  std::cout << gridRelayConfig(target) << std::flush;
  return 0;
}

// Where the status page is reached: "/ui" below --public-url's path (a reverse proxy may serve
// the host below a path of its own).
std::string statusPagePath(const std::string& publicUrl) {
  std::string prefix = publicUrl.empty() ? "" : Poco::URI(publicUrl).getPath();
  while (!prefix.empty() && prefix.back() == '/')
    prefix.pop_back();
  return prefix + "/ui";
}

// What the request gate lets through: the --allowed-hosts and --allowed-origins, the
// --public-url's host, and --host when it is a name.
GatePolicy gatePolicy(const HostOptions& options) {
  GatePolicy policy;
  policy.allowedHosts = options.allowedHosts;
  policy.allowedOrigins = options.allowedOrigins;
  auto addName = [&policy](std::string name) {
    for (char& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!name.empty() && name.front() != '[')
      policy.allowedHosts.push_back(std::move(name));
  };
  if (!options.publicUrl.empty()) {
    try {
      addName(Poco::URI(options.publicUrl).getHost());
    } catch (const Poco::Exception&) {
    }
  }
  Poco::Net::IPAddress literal;
  if (!Poco::Net::IPAddress::tryParse(options.host, literal))
    addName(options.host);
  return policy;
}

// Closes the relayed websockets of a session as it ends, once the server exists.
struct WebSocketCloser : SessionEvents {
  std::atomic<HttpServer*> server{nullptr};
  void sessionEnding(const std::string& id, std::uint16_t closeCode,
                     const std::string& why) override {
    if (HttpServer* live = server.load())
      live->closeWebSockets(id, closeCode, why);
  }
};

// Why the host stops: what sessions still live are told, and how they are counted.
struct Shutdown {
  std::string reason;
  EndCause cause = EndCause::Shutdown;
};

// Waits for SIGINT, SIGTERM or SIGHUP, or for a drain (SIGUSR1 or POST /wdhost/drain) to end:
// every session gone, or --drain-timeout passed.
Shutdown waitForShutdown(const sigset_t& signals, SessionService& service,
                         std::chrono::seconds drainTimeout) {
  const timespec tick{0, 250 * 1000 * 1000};
  std::chrono::steady_clock::time_point drainDeadline{};
  bool draining = false;
  for (;;) {
    int received = sigtimedwait(&signals, nullptr, &tick);
    if (received == SIGUSR1)
      service.lifecycle().drain();
    else if (received > 0) {
      log(LogLevel::Info, "host",
          std::string("received ") + strsignal(received) + ", closing " +
              std::to_string(service.lifecycle().sessionsRunning()) + " session(s)");
      return Shutdown{"the host shut down", EndCause::Shutdown};
    }
    if (service.lifecycle().draining() && !draining) {
      draining = true;
      drainDeadline = std::chrono::steady_clock::now() + drainTimeout;
    }
    if (!draining)
      continue;
    if (service.lifecycle().sessionsRunning() == 0) {
      log(LogLevel::Info, "host", "drained: every session has ended");
      return Shutdown{"the host was drained", EndCause::Drained};
    }
    if (std::chrono::steady_clock::now() >= drainDeadline) {
      log(LogLevel::Warn, "host",
          "drain: --drain-timeout passed; closing " +
              std::to_string(service.lifecycle().sessionsRunning()) + " session(s) still running");
      return Shutdown{"the host was drained (--drain-timeout passed)", EndCause::Drained};
    }
  }
}

// What the sessions API may reach (the options were checked when parsed), said at start when
// the operator opened more than the public Internet.
TargetPolicy targetPolicyOf(const HostOptions& options) {
  TargetPolicy policy;
  policy.allowPrivate = options.allowPrivateTargets;
  if (policy.allowPrivate)
    log(LogLevel::Warn, "host",
        "the sessions API may reach private networks (--allow-private-targets)");
  for (const std::string& text : options.allowTargets) {
    AllowedTarget target;
    if (!parseAllowedTarget(text, &target).isOk())
      continue;
    TargetPolicy alone;
    alone.allowed.push_back(target);
    std::uint16_t probe = target.port == 0 ? 1 : target.port;
    if (alone.refusal(Poco::Net::SocketAddress("127.0.0.1", probe)).empty() ||
        alone.refusal(Poco::Net::SocketAddress("::1", probe)).empty())
      log(LogLevel::Warn, "host",
          "THE SESSIONS API MAY REACH THIS MACHINE at " + text +
              (target.port == 0 ? " on every port, this host's own and its drivers' included"
                                : "") +
              " (--allow-target): meant for testing a site on this machine");
    else
      log(LogLevel::Warn, "host", "the sessions API may reach " + text + " (--allow-target)");
    policy.allowed.push_back(std::move(target));
  }
  return policy;
}

} // namespace

int runHost(const HostOptions& options) {
  LogLevel level = LogLevel::Info;
  parseLogLevel(options.logLevel, &level);
  setLogLevel(level);
  LogFormat format = LogFormat::Text;
  parseLogFormat(options.logFormat, &format);
  setLogFormat(format);
  sigset_t signals = blockTerminationSignals();
  raiseOpenFileLimit();

  if (!isLoopbackHost(options.host) && options.authToken.empty() &&
      !options.allowUnauthenticatedRemote) {
    log(LogLevel::Error, "host",
        "--host " + options.host +
            " is reachable beyond this machine: set --auth-token (or "
            "$WDHOST_AUTH_TOKEN), or pass --allow-unauthenticated-remote if you really mean it");
    return 2;
  }
  if (!options.allowedOrigins.empty())
    log(
        LogLevel::Warn, "host",
        "web pages of these origins may drive the host (--allowed-origins): " + [&options] {
          std::string all;
          for (const std::string& origin : options.allowedOrigins)
            all += (all.empty() ? "" : ", ") + origin;
          return all;
        }());
  if (!isLoopbackHost(options.host) && options.authToken.empty())
    log(LogLevel::Warn, "host",
        "LISTENING BEYOND LOOPBACK WITHOUT AUTHENTICATION: anyone who reaches " + options.host +
            " can start browsers and run scripts in them (--allow-unauthenticated-remote)");

  std::string dir = binaryDir();
  std::unique_ptr<TempDirs> tempDirs;
  std::size_t reclaimed = 0;
  Status status = TempDirs::open("", &tempDirs, &reclaimed);
  if (!status.isOk()) {
    log(LogLevel::Error, "host", "cannot create the temp directory: " + status.message());
    return 1;
  }
  if (reclaimed > 0)
    log(LogLevel::Info, "host",
        "reclaimed " + std::to_string(reclaimed) +
            " temp dir(s) left by a host that did not exit cleanly");
  ProcessSupervisor processes(dir + "/wdhost-guard", EnvironmentAllowlist(options.passEnv));
  // Browsers started ahead run under placeholder ids "warm-<uuid>" (webdriver/session_start.cpp)
  // until handed over: their launch yields to the sessions that run.
  if (options.warmPriority == "idle" && options.warmBrowsers > 0 &&
      !processes.runInBackground("warm-"))
    log(LogLevel::Info, "host",
        "browsers started ahead run at idle I/O priority only: idle CPU priority (SCHED_IDLE) "
        "needs the right to leave it at hand-over (root with CAP_SYS_NICE, or RLIMIT_NICE)");
  if (options.allowClientBinaries)
    log(LogLevel::Warn, "host",
        "--allow-client-binaries: CLIENTS MAY RUN PROGRAMS AND REACH FILES OF THIS HOST through "
        "their capabilities (browser binaries, env, profiles, --renderer-cmd-prefix, "
        "--user-data-dir, ...); give this host only to clients you would give a shell");
  // Every child of the host is a guard: the tree of one killed outright comes back to the host.
  if (!processes.collectOrphans())
    log(LogLevel::Warn, "host",
        std::string("cannot become a child subreaper; a killed guard's processes would outlive "
                    "it: ") +
            strerror(errno));
  HostServices services{&processes, tempDirs.get()};

  PluginSelection selection;
  // The plugin search path; the first copy of a plugin wins. Any --plugin-dir replaces the
  // default path: each $WDHOST_PLUGIN_PATH entry, the user dir, then the system dir.
  selection.dirs = options.pluginDirs;
  if (selection.dirs.empty()) {
    const char* envPath = std::getenv("WDHOST_PLUGIN_PATH");
    for (std::string rest = envPath != nullptr ? envPath : ""; !rest.empty();) {
      std::size_t colon = rest.find(':');
      if (colon != 0)
        selection.dirs.push_back(rest.substr(0, colon));
      rest = colon == std::string::npos ? "" : rest.substr(colon + 1);
    }
    const char* dataHome = std::getenv("XDG_DATA_HOME");
    const char* home = std::getenv("HOME");
    if (dataHome != nullptr && dataHome[0] == '/')
      selection.dirs.push_back(std::string(dataHome) + "/wdhost/plugins");
    else if (home != nullptr && home[0] == '/')
      selection.dirs.push_back(std::string(home) + "/.local/share/wdhost/plugins");
    selection.dirs.push_back(dir + "/../" WDHOST_PLUGIN_SUBDIR);
  }
  selection.only = options.plugins;
  selection.configs = options.pluginConfig;
  selection.defaultConfig = options.defaultPluginConfig;
  selection.isolation = options.isolatePlugins == "all"           ? IsolationMode::All
                        : options.isolatePlugins == "third-party" ? IsolationMode::ThirdParty
                                                                  : IsolationMode::None;
  selection.isolate = options.isolatePlugin;
  selection.helperPath = dir + "/wdhost-plugin-host";
  selection.installedDir = dir + "/../" WDHOST_PLUGIN_SUBDIR;
  for (const BuiltPluginFile& built : kBuiltPlugins)
    selection.builtIn.push_back(BuiltPlugin{built.fileName, built.buildDir});
  PluginRegistry registry;
  status = registry.load(selection, services);
  if (options.listPlugins) {
    printPlugins(registry);
    return status.isOk() ? 0 : 1;
  }
  if (!status.isOk()) {
    log(LogLevel::Error, "host", status.message());
    return 1;
  }
  if (registry.plugins().empty())
    log(LogLevel::Warn, "host", "no browser plugin is loaded: every New Session will fail");

  SessionSettings sessionSettings;
  sessionSettings.maxSessions = options.maxSessions > 0
                                    ? options.maxSessions
                                    : std::max<std::size_t>(1, std::thread::hardware_concurrency());
  if (options.gridRelayConfig)
    return printGridRelayConfig(registry, options, sessionSettings.maxSessions);
  sessionSettings.maxSessionsPerPlugin = options.maxSessionsPerPlugin;
  sessionSettings.queueTimeout =
      options.noQueue ? std::chrono::milliseconds(0)
                      : std::chrono::milliseconds(options.sessionRequestTimeout * 1000ULL);
  sessionSettings.maxQueue = options.maxQueue;
  sessionSettings.launchTimeout = std::chrono::seconds(options.launchTimeout);
  sessionSettings.idleTimeout = std::chrono::seconds(options.sessionTimeout);
  sessionSettings.maxIdleTimeout = std::chrono::seconds(options.maxSessionTimeout);
  sessionSettings.warmBrowsers =
      std::min<std::size_t>(options.warmBrowsers, sessionSettings.maxSessions);
  sessionSettings.warmIdle = std::chrono::seconds(options.warmIdle);
  sessionSettings.allowClientBinaries = options.allowClientBinaries;
  SessionMap sessions;
  // Work that may block (New Session, Delete, the sessions API, in-process commands) runs here,
  // never on the threads that move bytes.
  JobExecutor jobs(static_cast<std::size_t>(options.maxThreads), options.maxQueue);
  RecordingSettings recordingSettings;
  recordingSettings.mode = options.record == "on"           ? RecordMode::On
                           : options.record == "on-failure" ? RecordMode::OnFailure
                                                            : RecordMode::Off;
  recordingSettings.dir =
      options.recordingsDir.empty() ? defaultRecordingsDir() : options.recordingsDir;
  recordingSettings.ffmpeg = findInPath("ffmpeg");
  recordingSettings.maxAge = std::chrono::seconds(options.recordingsMaxAge);
  recordingSettings.maxBytes = options.recordingsMaxBytes;
  // Before the session service: its sessions' recordings end (and ffmpeg with them) after it
  // closed every session, and before the process supervisor goes.
  Recordings recordings(processes, recordingSettings);
  // Each session's log takes the host's lines about it and its processes' output; both stop
  // before `recordings` goes.
  setSessionLogTap(&recordings);
  processes.setOutputListener([&recordings](const std::string& owner, std::string_view data) {
    recordings.processOutput(owner, data);
  });
  ScopeExit untap([&processes] {
    processes.setOutputListener({});
    setSessionLogTap(nullptr);
  });
  // Recording off costs nothing, not even a directory: it is made at the first recording.
  status = recordingSettings.mode == RecordMode::Off && options.recordingsDir.empty()
               ? Status::ok()
               : recordings.open();
  if (!status.isOk()) {
    log(LogLevel::Error, "host", "cannot use the recordings directory: " + status.message());
    return 1;
  }
  if (recordingSettings.ffmpeg.empty())
    log(recordingSettings.mode == RecordMode::Off ? LogLevel::Info : LogLevel::Warn, "host",
        "ffmpeg is not installed: sessions cannot be recorded (apt install ffmpeg)");
  SessionService service(registry, sessions, services, sessionSettings);
  service.lifecycle().setRecordings(&recordings);
  service.starter().setJobExecutor(&jobs);
  HostMetrics metrics;
  service.lifecycle().addObserver(&metrics);
  // A session's end closes its relayed websockets first (the server exists from a bit later).
  WebSocketCloser closer;
  service.lifecycle().addObserver(&closer);
  // People watching sessions: their viewers and links end with the session.
  LiveView live(service.lifecycle());
  service.lifecycle().addObserver(&live);
  service.lifecycle().setLiveLinks(&live);
  // Traces: every command of a traced session with its page, kept after the session.
  TraceSettings traceSettings;
  traceModeOf(options.trace, &traceSettings.mode);
  traceSettings.dir = options.tracesDir.empty() ? defaultTracesDir() : options.tracesDir;
  traceSettings.bounds.maxFrames = options.traceMaxFrames;
  traceSettings.bounds.maxBytes = std::uint64_t(options.traceMaxMib) << 20;
  traceSettings.maxKept = options.tracesMaxKept;
  Traces traces(traceSettings);
  service.lifecycle().addObserver(&traces);
  service.lifecycle().setTracer(&traces);
  std::vector<PooledProxy> pool;
  if (!options.proxyPool.empty()) {
    status = loadProxyPool(options.proxyPool, &pool);
    if (!status.isOk()) {
      log(LogLevel::Error, "host", status.message());
      return 2;
    }
  }
  SessionsApi api(service, registry, std::move(pool), targetPolicyOf(options));
  service.lifecycle().addObserver(&api.sessionWatcher());
  service.start();
  auto warm = static_cast<uint32_t>(
      std::min<std::size_t>(options.warmDrivers, sessionSettings.maxSessions));
  for (const auto& plugin : registry.plugins()) {
    Status warmed = plugin->warm(warm);
    if (!warmed.isOk())
      log(LogLevel::Warn, "host", warmed.message());
  }
  ServerSettings serverSettings;
  serverSettings.host = options.host;
  serverSettings.port = options.port;
  serverSettings.keepAliveTimeout = std::chrono::seconds(options.keepAliveTimeout);
  serverSettings.maxBodySize = options.maxBodySize;
  serverSettings.maxConnections = options.maxConnections;
  serverSettings.maxConnectionsPerPeer = options.maxConnectionsPerPeer;
  serverSettings.access.clientToken = options.authToken;
  serverSettings.access.operatorToken = options.operatorToken;
  serverSettings.access.publicUrl = options.publicUrl;
  serverSettings.access.gate = gatePolicy(options);
  serverSettings.maxWebSocketsPerSession = options.maxWebSocketsPerSession;
  HttpServer server(service, jobs, serverSettings);
  StatusPageEndpoints statusPage(
      service, [&service, &server, &live] { return hostSnapshot(service, server, &live); },
      Credentials(options.authToken, options.operatorToken),
      options.publicUrl.rfind("https://", 0) == 0, statusPagePath(options.publicUrl));
  statusPage.setLiveView(&live);
  statusPage.setTraces(&traces);
  addHostRoutes(server,
                HostFeatures{&service, &api, &metrics, &statusPage, &recordings, &live, &traces});
  status = server.start();
  if (!status.isOk()) {
    log(LogLevel::Error, "host", status.message());
    return 1;
  }
  closer.server = &server;
  std::string where =
      options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host;
  // The first line on stdout: tests and scripts read the bound port from it.
  std::cout << "wdhost listening on http://" << where << ":" << server.port() << std::endl;
  log(LogLevel::Info, "host", "listening on http://" + where + ":" + std::to_string(server.port()));

  Shutdown shutdown = waitForShutdown(signals, service, std::chrono::seconds(options.drainTimeout));
  service.closeAll(shutdown.reason, shutdown.cause);
  recordings.stopAll(); // every ffmpeg finishes its file
  traces.stopAll();     // every trace is kept as its rules say
  live.stopAll();       // every viewer is told the host goes (1001)
  closer.server = nullptr;
  server.stop();
  if (std::size_t stuck = service.starter().launchesStillRunning(); stuck > 0) {
    // A plugin ignored its cancellation: what it runs would use the services destroyed on the
    // way out. Exit now; the process guards end every tree the host started (the lifeline).
    log(LogLevel::Error, "host",
        "stopped without waiting for " + std::to_string(stuck) + " plugin launch(es)");
    std::fflush(nullptr);
    std::_Exit(0);
  }
  log(LogLevel::Info, "host", "stopped");
  return 0;
}

} // namespace wdh
