// Command-line and config-file options of wdhost (Boost.Program_options).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace wdh {

// Everything the command line and config file can set.
struct HostOptions {
  std::string host = "127.0.0.1";                  // address to listen on
  std::uint16_t port = 4444;                       // 0 = any free port
  std::vector<std::string> pluginDirs;             // empty = next to the binary
  std::vector<std::string> plugins;                // names to load, in matching order
  std::map<std::string, std::string> pluginConfig; // name -> init() config JSON
  std::string defaultPluginConfig = "{}";          // config JSON for plugins not named above
  std::string isolatePlugins = "third-party";      // all|third-party|none
  std::vector<std::string> isolatePlugin;          // names that run in a helper, whatever else
  bool showWindows = false;                        // run browsers with a visible window
  std::string logLevel = "info";                   // trace|debug|info|warn|error|off
  std::string logFormat = "text";                  // text|json
  std::size_t maxBodySize = 16 * 1024 * 1024;      // bytes
  int maxThreads = 128;                            // threads for work that may block, at most
  int keepAliveTimeout = 60;                       // s an idle client connection stays open
  std::string publicUrl;                           // base of the websocket URLs handed out
  std::size_t maxWebSocketsPerSession = 8;         // relayed websockets open at once per session
  std::size_t maxSessions = 0;                     // 0 = the number of cores
  std::map<std::string, std::size_t> maxSessionsPerPlugin; // NAME=N
  unsigned sessionRequestTimeout = 300;     // seconds a New Session may wait for a slot
  bool noQueue = false;                     // answer at once when no slot is free
  unsigned sessionTimeout = 200;            // idle seconds before a session is closed
  unsigned maxSessionTimeout = 3600;        // bound of wdhost:sessionTimeout
  unsigned warmDrivers = 1;                 // drivers kept started ahead, per plugin
  unsigned warmBrowsers = 1;                // whole browsers started ahead, at most
  unsigned warmIdle = 120;                  // seconds a warm browser waits before it closes
  std::string warmPriority = "idle";        // "idle" or "normal": how warm browsers start
  unsigned launchTimeout = 90;              // seconds a plugin may take to start a session
  std::string authToken;                    // required from clients when set
  std::string operatorToken;                // drain, /metrics, ending sessions; "" = authToken
  std::vector<std::string> allowedHosts;    // names the Host header may carry (lower case)
  std::vector<std::string> allowedOrigins;  // web page origins allowed to send requests
  std::size_t maxQueue = 1000;              // New Session requests waiting at most
  std::size_t maxConnections = 8192;        // client connections open at once
  std::size_t maxConnectionsPerPeer = 2048; // of those, from one IP address
  std::string proxyPool;                    // --proxy-pool FILE for the sessions API
  bool allowPrivateTargets = false;         // the sessions API may reach private networks
  std::vector<std::string> allowTargets;    // --allow-target ADDR[/BITS][:PORT], checked
  bool allowUnauthenticatedRemote = false;  // bind beyond loopback without a token
  bool allowClientBinaries = false;         // clients may send binaries, env, profiles, switches
  std::vector<std::string> passEnv;         // more variables children inherit: NAME or PREFIX_*
  unsigned drainTimeout = 300;              // seconds a drain waits for sessions to end
  std::string record = "off";               // --record off|on|on-failure
  std::string recordingsDir;                // --recordings-dir; "" = defaultRecordingsDir()
  unsigned recordingsMaxAge = 0;            // seconds a finished recording is kept; 0 = always
  std::uint64_t recordingsMaxBytes = 0;     // what the recordings may add up to; 0 = no limit
  std::string trace = "off";                // --trace off|on|on-failure
  std::string tracesDir;                    // --traces-dir; "" = defaultTracesDir()
  unsigned traceMaxFrames = 300;            // pictures one trace keeps at most
  unsigned traceMaxMib = 32;                // MiB of pictures one trace keeps at most
  unsigned tracesMaxKept = 200;             // finished traces kept on disk
  bool gridRelayConfig = false;             // print a Grid [relay] node config and exit
  bool listPlugins = false;                 // print the plugins and exit
  bool showVersion = false;                 // print the version and exit
  bool showHelp = false;                    // print the help and exit
  std::string helpText;                     // the generated help
};

// Parses argv (and --config FILE). On a bad option or value returns false with *error set
// to a message naming what is wrong and how to fix it. Tokens come from --auth-token(-file),
// --operator-token(-file), or $WDHOST_AUTH_TOKEN and $WDHOST_OPERATOR_TOKEN, which are then
// removed from the environment (children never see them).
bool parseOptions(int argc, const char* const argv[], HostOptions* out, std::string* error);

// Overwrites the values of --auth-token and --operator-token in `argv`, so that `ps` and
// /proc/PID/cmdline no longer show them.
void hideTokens(int argc, char* argv[]);

} // namespace wdh
