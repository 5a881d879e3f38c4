#include "app/options.h"

#include "core/log.h"
#include "process/environment_allowlist.h"
#include "proxy/target_policy.h"
#include "server/public_url.h"

#include "json/json.h"
#include <boost/program_options.hpp>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace po = boost::program_options;

extern char** environ;

namespace wdh {
namespace {

// Parses "NAME.KEY=VALUE" into the per-plugin config objects.
bool addPluginOption(const std::string& text, std::map<std::string, std::vector<std::string>>* out,
                     std::string* error) {
  std::size_t dot = text.find('.');
  std::size_t equals = text.find('=');
  if (dot == std::string::npos || equals == std::string::npos || dot == 0 || equals < dot + 2) {
    *error = "--plugin-option '" + text +
             "' must look like NAME.KEY=VALUE, e.g. "
             "chrome.driver=/usr/bin/chromedriver";
    return false;
  }
  std::string name = text.substr(0, dot);
  std::string key = text.substr(dot + 1, equals - dot - 1);
  std::string value = text.substr(equals + 1);
  (*out)[name].push_back(quoteJson(key) + ":" + quoteJson(value));
  return true;
}

// Reads a token from `path`: its first line, without trailing spaces; false with `*error`.
bool readTokenFile(const std::string& option, const std::string& path, std::string* token,
                   std::string* error) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) {
    *error = "--" + option + " " + path + ": cannot read the file";
    return false;
  }
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
    line.pop_back();
  if (line.empty()) {
    *error = "--" + option + " " + path + ": the file's first line is empty";
    return false;
  }
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0 && (info.st_mode & (S_IRGRP | S_IROTH)) != 0)
    log(LogLevel::Warn, "host",
        "--" + option + " " + path + " is readable by other users; chmod 600 it");
  *token = line;
  return true;
}

// The token of `option`: the option itself, else its file, else the environment variable
// (then removed from the environment).
bool resolveToken(const std::string& option, const std::string& file, const char* variable,
                  std::string* token, std::string* error) {
  if (!token->empty() && !file.empty()) {
    *error = "give --" + option + " or --" + option + "-file, not both";
    return false;
  }
  if (!file.empty() && !readTokenFile(option + "-file", file, token, error))
    return false;
  if (const char* fromEnv = std::getenv(variable)) {
    if (token->empty())
      *token = fromEnv;
    // The value is blanked where it lies (/proc/PID/environ shows that memory), then the
    // variable is removed, so that no child and no reader of the host's environment sees it.
    std::string prefix = std::string(variable) + "=";
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry)
      if (std::strncmp(*entry, prefix.c_str(), prefix.size()) == 0)
        for (char* c = *entry + prefix.size(); *c != '\0'; ++c)
          *c = 'x';
    unsetenv(variable);
  }
  return true;
}

// Splits comma-separated entries, trims them and makes them lower case.
std::vector<std::string> lowerList(const std::vector<std::string>& given) {
  std::vector<std::string> out;
  for (const std::string& entry : given) {
    std::stringstream items(entry);
    std::string item;
    while (std::getline(items, item, ',')) {
      std::size_t start = item.find_first_not_of(" \t");
      std::size_t end = item.find_last_not_of(" \t/");
      if (start == std::string::npos)
        continue;
      std::string trimmed = item.substr(start, end - start + 1);
      for (char& c : trimmed)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.push_back(trimmed);
    }
  }
  return out;
}

} // namespace

void hideTokens(int argc, char* argv[]) {
  auto blank = [](char* text) {
    for (; *text != '\0'; ++text)
      *text = 'x';
  };
  for (int i = 1; i < argc; ++i) {
    std::string_view arg(argv[i]);
    for (std::string_view option : {"--auth-token", "--operator-token"}) {
      if (arg == option && i + 1 < argc)
        blank(argv[i + 1]);
      else if (arg.size() > option.size() && arg.substr(0, option.size()) == option &&
               arg[option.size()] == '=')
        blank(argv[i] + option.size() + 1);
    }
  }
}

bool parseOptions(int argc, const char* const argv[], HostOptions* out, std::string* error) {
  std::string configFile;
  std::string authTokenFile;
  std::string operatorTokenFile;
  std::vector<std::string> allowedHosts;
  std::vector<std::string> allowedOrigins;
  std::vector<std::string> pluginOptions;
  std::vector<std::string> perPluginLimits;
  unsigned port = out->port;
  po::options_description general("wdhost options");
  auto add = general.add_options();
  add("host", po::value(&out->host)->default_value(out->host),
      "address to listen on (loopback unless you mean to expose the host)");
  add("port", po::value(&port)->default_value(port), "port to listen on; 0 picks a free one");
  add("plugin-dir", po::value(&out->pluginDirs)->composing(),
      "directory to load plugins from (repeatable); default: $WDHOST_PLUGIN_PATH, then "
      "~/.local/share/wdhost/plugins, then lib/wdhost/plugins next to the binary");
  add("plugin", po::value(&out->plugins)->composing(),
      "plugin to load, by name (repeatable; also the matching order); default: all found");
  add("isolate-plugins", po::value(&out->isolatePlugins)->default_value(out->isolatePlugins),
      "which plugins run in a helper process of their own (wdhost-plugin-host), so that a crash "
      "or hang costs only their sessions: all, third-party (every plugin not built with this "
      "host; the default) or none");
  add("isolate-plugin", po::value(&out->isolatePlugin)->composing(),
      "plugin that runs in a helper process of its own, by name (repeatable), whatever "
      "--isolate-plugins says; found by its file name (NAME.so, libNAME.so) first");
  add("plugin-option", po::value(&pluginOptions)->composing(),
      "NAME.KEY=VALUE setting passed to a plugin, e.g. chrome.driver=/usr/bin/chromedriver");
  add("show-windows", po::bool_switch(&out->showWindows),
      "run browsers with visible windows instead of headless");
  add("max-sessions", po::value(&out->maxSessions)->default_value(0),
      "sessions at once on this host; 0 = the number of cores");
  add("max-sessions-per-plugin", po::value(&perPluginLimits)->composing(),
      "NAME=N: sessions at once for one plugin (repeatable)");
  add("session-request-timeout", po::value(&out->sessionRequestTimeout)->default_value(300),
      "seconds a New Session waits in the queue for a free slot");
  add("no-queue", po::bool_switch(&out->noQueue),
      "answer New Session at once when no slot is free instead of queueing");
  add("session-timeout", po::value(&out->sessionTimeout)->default_value(200),
      "seconds without a command before a session is closed");
  add("max-session-timeout", po::value(&out->maxSessionTimeout)->default_value(3600),
      "the largest wdhost:sessionTimeout a client may ask for, in seconds");
  add("warm-drivers", po::value(&out->warmDrivers)->default_value(1),
      "drivers each plugin keeps started ahead of New Session (never more than --max-sessions)");
  add("warm-browsers", po::value(&out->warmBrowsers)->default_value(out->warmBrowsers),
      "whole browsers started ahead, each for a launch configuration seen recently and handed to "
      "the next New Session that matches; each holds a slot a New Session takes back (0: none)");
  add("warm-idle", po::value(&out->warmIdle)->default_value(out->warmIdle),
      "seconds a browser started ahead waits unused before it is closed");
  add("warm-priority", po::value(&out->warmPriority)->default_value(out->warmPriority),
      "idle: browsers started ahead run at idle CPU and I/O priority until handed over, so that "
      "they take only what running sessions leave; normal: at the host's own");
  add("record", po::value(&out->record)->default_value(out->record),
      "off: record only sessions that ask (se:recordVideo, enableVideo, wdhost:recording); on: "
      "every session that can be; on-failure: the same, and a video is deleted when its client "
      "said the session passed (a Grid session event such as test:passed) and ended it with "
      "Delete Session; a failure said, another end (idle timeout, crash, shutdown) or nothing "
      "said keeps it; se:retainOnFailure sets it per session");
  add("recordings-dir", po::value(&out->recordingsDir),
      "where recordings are kept (default $XDG_STATE_HOME/wdhost/recordings, else "
      "~/.local/state/wdhost/recordings)");
  add("recordings-max-age", po::value(&out->recordingsMaxAge)->default_value(0),
      "seconds a finished recording is kept; 0: no limit");
  add("recordings-max-bytes", po::value(&out->recordingsMaxBytes)->default_value(0),
      "what the finished recordings may add up to, in bytes; past it the oldest go; 0: no "
      "limit");
  add("trace", po::value(&out->trace)->default_value(out->trace),
      "off: trace only sessions that ask (wdhost:trace); on: every session (each command with "
      "the page before and after it, its console and requests); on-failure: the same, a trace "
      "kept by the rules --record on-failure keeps a video by");
  add("traces-dir", po::value(&out->tracesDir),
      "where finished traces are kept (default $XDG_STATE_HOME/wdhost/traces, else "
      "~/.local/state/wdhost/traces)");
  add("trace-max-frames", po::value(&out->traceMaxFrames)->default_value(out->traceMaxFrames),
      "pictures one trace keeps at most (1 to 100000); past it the oldest go, and the trace "
      "says so");
  add("trace-max-mib", po::value(&out->traceMaxMib)->default_value(out->traceMaxMib),
      "MiB of pictures one trace keeps at most (1 to 4096); past it the oldest go");
  add("traces-max-kept", po::value(&out->tracesMaxKept)->default_value(out->tracesMaxKept),
      "finished traces kept on disk (1 to 100000); past it the oldest go");
  add("launch-timeout", po::value(&out->launchTimeout)->default_value(90),
      "seconds a plugin may take to start a browser session (a 1.3 plugin is told a deadline a "
      "quarter earlier, at most 2 s, so its own error arrives first; then it is cancelled)");
  add("auth-token", po::value(&out->authToken),
      "token clients must send (Authorization: Bearer TOKEN, or basic auth with it as the "
      "password); also read from $WDHOST_AUTH_TOKEN");
  add("auth-token-file", po::value(&authTokenFile),
      "read the client token from the first line of FILE (keeps it out of ps and the shell's "
      "history; e.g. a systemd credential)");
  add("operator-token", po::value(&out->operatorToken),
      "token for what only the operator may do: drain, /metrics, ending sessions from /ui "
      "(default: the client token); also read from $WDHOST_OPERATOR_TOKEN");
  add("operator-token-file", po::value(&operatorTokenFile),
      "read the operator token from the first line of FILE");
  add("allowed-hosts", po::value(&allowedHosts)->composing(),
      "a name clients may address this host by in the Host header (repeatable or "
      "comma-separated), e.g. wdhost-node; IP addresses, localhost and the --public-url host "
      "always may. Other names are refused (DNS rebinding)");
  add("allowed-origins", po::value(&allowedOrigins)->composing(),
      "a web page origin allowed to send requests, e.g. https://dashboard.example:8443 "
      "(repeatable or comma-separated; \"*\" allows every page: unsafe). WebDriver clients send "
      "no Origin; pages of other origins are refused");
  add("allow-unauthenticated-remote", po::bool_switch(&out->allowUnauthenticatedRemote),
      "allow --host beyond loopback without --auth-token (anyone who reaches the port can drive "
      "the browsers)");
  add("allow-client-binaries", po::bool_switch(&out->allowClientBinaries),
      "let clients' capabilities name programs, files and ports of this host (a browser binary, "
      "its env, a profile, switches such as --user-data-dir or --renderer-cmd-prefix); only for "
      "clients you trust with a shell on this machine");
  add("pass-env", po::value(&out->passEnv)->composing(),
      "NAME or PREFIX_*: a variable of the host's environment that drivers and browsers also "
      "inherit (repeatable); by default only PATH, HOME, locale, display, D-Bus, TMPDIR and the "
      "like do");
  add("proxy-pool", po::value(&out->proxyPool),
      "FILE of \"KIND URL\" lines: proxies the sessions API picks from (\"datacenter\")");
  add("allow-private-targets", po::bool_switch(&out->allowPrivateTargets),
      "let the sessions API (plain requests, redirects, its browsers' pages, a client's upstream "
      "proxy) reach private networks: 10/8, 172.16/12, 192.168/16, 100.64/10, 198.18/15, "
      "fc00::/7; never loopback, link-local or cloud metadata");
  add("allow-target",
      po::value(&out->allowTargets)->composing()->notifier([](const std::vector<std::string>& all) {
        for (const std::string& target : all) {
          AllowedTarget parsed;
          if (Status checked = parseAllowedTarget(target, &parsed); !checked.isOk())
            throw po::error(checked.message());
        }
      }),
      "ADDR[/BITS][:PORT] ([IPV6]:PORT): one private or loopback network (and port) the sessions "
      "API may reach (repeatable), e.g. 127.0.0.1:8080 to test a site on this machine");
  add("log-level", po::value(&out->logLevel)->default_value(out->logLevel),
      "trace, debug, info, warn, error or off");
  add("log-format", po::value(&out->logFormat)->default_value(out->logFormat),
      "text (default) or json: one JSON object per line with time, level, component, session, "
      "plugin, message and durationMs");
  add("max-body-size", po::value(&out->maxBodySize)->default_value(out->maxBodySize),
      "largest request body accepted, in bytes");
  add("max-threads", po::value(&out->maxThreads)->default_value(out->maxThreads),
      "threads for work that may wait (New Session, Delete Session, the sessions API, commands of "
      "in-process plugins) at most; past them such a request waits for one (see --max-queue). "
      "Idle connections, queued New Sessions and relayed commands need none");
  add("max-queue", po::value(&out->maxQueue)->default_value(out->maxQueue),
      "requests that may wait at once: New Sessions for a free slot, and, apart, requests for a "
      "free thread (--max-threads); more are refused at once (500 session not created, 503)");
  add("max-connections", po::value(&out->maxConnections)->default_value(out->maxConnections),
      "client connections open at once; more are answered 503 and closed");
  add("max-connections-per-peer",
      po::value(&out->maxConnectionsPerPeer)->default_value(out->maxConnectionsPerPeer),
      "client connections open at once from one IP address");
  add("keep-alive-timeout", po::value(&out->keepAliveTimeout)->default_value(out->keepAliveTimeout),
      "seconds an idle client connection stays open");
  add("public-url", po::value(&out->publicUrl),
      "URL clients reach this host at (behind a proxy or NAT, or for Grid nodes), e.g. "
      "http://node-3:4444; websocket URLs are built from it instead of the Host header");
  add("max-websockets-per-session",
      po::value(&out->maxWebSocketsPerSession)->default_value(out->maxWebSocketsPerSession),
      "BiDi and CDP websockets one session may have open at once");
  add("drain-timeout", po::value(&out->drainTimeout)->default_value(out->drainTimeout),
      "seconds a drain (SIGUSR1 or POST /wdhost/drain) waits for running sessions to end before "
      "closing them and exiting");
  add("grid-relay-config", po::bool_switch(&out->gridRelayConfig),
      "print a Selenium Grid 4 node config ([relay] TOML) for this host's plugins and limits; "
      "then exit");
  add("config", po::value(&configFile), "read options from FILE (key = value lines)");
  add("list-plugins", po::bool_switch(&out->listPlugins),
      "list the plugins found, the browsers they found, and why any was skipped; then exit");
  add("version", po::bool_switch(&out->showVersion), "print the version and exit");
  add("help", po::bool_switch(&out->showHelp), "print this help and exit");

  try {
    po::variables_map vm;
    po::store(po::command_line_parser(argc, argv).options(general).run(), vm);
    if (vm.count("config")) {
      std::string file = vm["config"].as<std::string>();
      std::ifstream in(file);
      if (!in) {
        *error = "cannot read the config file " + file;
        return false;
      }
      po::store(po::parse_config_file(in, general), vm);
    }
    po::notify(vm);
  } catch (const po::error& e) {
    *error = e.what();
    return false;
  }

  std::ostringstream help;
  help << "Usage: wdhost [options]\n\n" << general;
  out->helpText = help.str();

  if (port > 65535) {
    *error = "--port " + std::to_string(port) + " is out of range 0..65535";
    return false;
  }
  out->port = static_cast<std::uint16_t>(port);
  LogLevel level;
  if (!parseLogLevel(out->logLevel, &level)) {
    *error =
        "--log-level '" + out->logLevel + "' is not one of trace, debug, info, warn, error, off";
    return false;
  }
  LogFormat format;
  if (!parseLogFormat(out->logFormat, &format)) {
    *error = "--log-format '" + out->logFormat + "' is not text or json";
    return false;
  }
  if (out->maxThreads < 2 || out->maxThreads > 10000) {
    *error = "--max-threads must be between 2 and 10000";
    return false;
  }
  if (!out->publicUrl.empty()) {
    Status publicUrl = checkPublicUrl(out->publicUrl);
    if (!publicUrl.isOk()) {
      *error = publicUrl.message();
      return false;
    }
  }
  if (out->maxWebSocketsPerSession < 1 || out->maxWebSocketsPerSession > 1024) {
    *error = "--max-websockets-per-session must be between 1 and 1024";
    return false;
  }
  if (out->keepAliveTimeout < 1 || out->keepAliveTimeout > 86400) {
    *error = "--keep-alive-timeout must be between 1 and 86400 seconds";
    return false;
  }
  if (out->maxBodySize < 1024) {
    *error = "--max-body-size must be at least 1024 bytes";
    return false;
  }

  if (!resolveToken("auth-token", authTokenFile, "WDHOST_AUTH_TOKEN", &out->authToken, error) ||
      !resolveToken("operator-token", operatorTokenFile, "WDHOST_OPERATOR_TOKEN",
                    &out->operatorToken, error))
    return false;
  out->allowedHosts = lowerList(allowedHosts);
  out->allowedOrigins = lowerList(allowedOrigins);
  for (const std::string& host : out->allowedHosts)
    if (host.find_first_of("/:@ ") != std::string::npos) {
      *error = "--allowed-hosts '" + host +
               "' must be a host name without scheme, port or path, e.g. wdhost-node";
      return false;
    }
  for (const std::string& origin : out->allowedOrigins)
    if (origin != "*" && origin != "null" && origin.rfind("http://", 0) != 0 &&
        origin.rfind("https://", 0) != 0) {
      *error = "--allowed-origins '" + origin +
               "' must be an origin like https://dashboard.example:8443 (scheme, host, port)";
      return false;
    }
  if (out->maxQueue > 1000000 || out->maxConnections < 16 || out->maxConnectionsPerPeer < 1 ||
      out->maxConnectionsPerPeer > out->maxConnections) {
    *error = "--max-queue must be at most 1000000, --max-connections at least 16, and "
             "--max-connections-per-peer between 1 and --max-connections";
    return false;
  }
  for (const std::string& pattern : out->passEnv)
    if (!isPassEnvPattern(pattern)) {
      *error = "--pass-env '" + pattern + "' must be a variable name or a prefix ending in *";
      return false;
    }
  if (out->sessionTimeout == 0 || out->maxSessionTimeout == 0 || out->launchTimeout == 0) {
    *error = "--session-timeout, --max-session-timeout and --launch-timeout must be above 0";
    return false;
  }
  if (out->warmIdle == 0 || out->warmIdle > 86400) {
    *error = "--warm-idle must be between 1 and 86400 seconds";
    return false;
  }
  if (out->record != "off" && out->record != "on" && out->record != "on-failure") {
    *error = "--record must be off, on or on-failure, not '" + out->record + "'";
    return false;
  }
  if (out->trace != "off" && out->trace != "on" && out->trace != "on-failure") {
    *error = "--trace must be off, on or on-failure, not '" + out->trace + "'";
    return false;
  }
  if (out->traceMaxFrames == 0 || out->traceMaxFrames > 100000 || out->traceMaxMib == 0 ||
      out->traceMaxMib > 4096 || out->tracesMaxKept == 0 || out->tracesMaxKept > 100000) {
    *error = "--trace-max-frames and --traces-max-kept must be 1 to 100000, --trace-max-mib 1 "
             "to 4096";
    return false;
  }
  if (!out->tracesDir.empty() && out->tracesDir.front() != '/') {
    *error = "--traces-dir must be an absolute path, not '" + out->tracesDir + "'";
    return false;
  }
  if (out->isolatePlugins != "all" && out->isolatePlugins != "third-party" &&
      out->isolatePlugins != "none") {
    *error =
        "--isolate-plugins must be all, third-party or none, not '" + out->isolatePlugins + "'";
    return false;
  }
  if (!out->recordingsDir.empty() && out->recordingsDir.front() != '/') {
    *error = "--recordings-dir must be an absolute path, not '" + out->recordingsDir + "'";
    return false;
  }
  if (out->warmPriority != "idle" && out->warmPriority != "normal") {
    *error = "--warm-priority must be idle or normal, not '" + out->warmPriority + "'";
    return false;
  }
  if (out->drainTimeout == 0 || out->drainTimeout > 7 * 86400) {
    *error = "--drain-timeout must be between 1 and 604800 seconds";
    return false;
  }
  if (out->sessionTimeout > out->maxSessionTimeout) {
    *error = "--session-timeout must not exceed --max-session-timeout";
    return false;
  }
  for (const std::string& limit : perPluginLimits) {
    std::size_t equals = limit.find('=');
    std::string name = limit.substr(0, equals);
    std::string count = equals == std::string::npos ? "" : limit.substr(equals + 1);
    if (name.empty() || count.empty() || count.size() > 6 ||
        count.find_first_not_of("0123456789") != std::string::npos || std::stoul(count) == 0) {
      *error = "--max-sessions-per-plugin '" + limit +
               "' must look like NAME=N with N above 0, "
               "e.g. chrome=2";
      return false;
    }
    out->maxSessionsPerPlugin[name] = std::stoul(count);
  }

  std::map<std::string, std::vector<std::string>> entries;
  for (const std::string& option : pluginOptions)
    if (!addPluginOption(option, &entries, error))
      return false;
  std::vector<std::string> names;
  for (const auto& [name, items] : entries)
    names.push_back(name);
  for (const std::string& name : out->plugins)
    names.push_back(name);
  std::string headless = std::string("\"headless\":") + (out->showWindows ? "false" : "true");
  out->defaultPluginConfig = "{" + headless + "}";
  for (const std::string& name : names) {
    std::string json = "{" + headless;
    for (const std::string& item : entries[name])
      json += "," + item;
    json += "}";
    out->pluginConfig[name] = json;
  }
  return true;
}

} // namespace wdh
