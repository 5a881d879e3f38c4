// What the scenarios start and share: options, counts, temp dirs, wdhost and chromedriver
// processes, and WebDriver sessions that are deleted when they go out of scope.
#pragma once

#include "child_process.h"
#include "http_client.h"

#include <memory>
#include <string>
#include <vector>

namespace bench {

// Where things are, and how big a run is.
struct Options {
  bool smoke = false;                                  // tiny counts: every scenario in seconds
  std::string only;                                    // run only this scenario ("" for all)
  std::string wdhost;                                  // the wdhost binary
  std::string stubPluginDir;                           // the directory holding the stub plugin
  std::string chromedriver = "/usr/bin/chromedriver";  // the direct chromedriver
  std::string chromium = "/usr/lib/chromium/chromium"; // the browser binary
  std::string firefox = "/usr/lib/firefox-esr/firefox-esr"; // Firefox for the bridge scenario
  std::string workDir;                                      // logs and profiles of this run
  std::string gridJar;                                      // Selenium Grid's jar, or "" (churn)
  std::string java = "/usr/bin/java";                       // the Java that runs it
};

// A private directory, removed (recursively) when destroyed.
class TempDir {
public:
  // Creates a directory named prefix-XXXXXX under `parent`; throws on failure.
  TempDir(const std::string& parent, const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  // Its path.
  const std::string& path() const noexcept { return path_; }

private:
  std::string path_;
};

// chromedriver started with --port=0 on 127.0.0.1; its port read from its output.
class Chromedriver {
public:
  // Starts it (bounded wait for its port); throws on failure.
  explicit Chromedriver(const Options& options);
  // Its port.
  int port() const noexcept { return port_; }

private:
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
};

// wdhost started with `args` plus --port 0; SIGTERM (it closes its sessions), then SIGKILL.
class Wdhost {
public:
  // Starts it (bounded wait for its "listening on" line); throws on failure.
  Wdhost(const Options& options, const std::vector<std::string>& args, const std::string& name);
  ~Wdhost();
  Wdhost(const Wdhost&) = delete;
  Wdhost& operator=(const Wdhost&) = delete;
  // Its port.
  int port() const noexcept { return port_; }
  // Its pid.
  int pid() const noexcept { return process_->pid(); }

private:
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
};

// A WebDriver session on 127.0.0.1:port, deleted (errors ignored) when destroyed.
class Session {
public:
  // Sends New Session with `body`; throws with the answer when it is not 200. With
  // `webSocketUrl`, that capability of the answer is stored there ("" when absent).
  Session(int port, const std::string& body, std::string* webSocketUrl = nullptr);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  // The session id.
  const std::string& id() const noexcept { return id_; }

private:
  int port_;
  std::string id_;
};

// New Session body for a chromedriver of our own: headless Chromium with `profileDir`.
std::string directChromeBody(const Options& options, const std::string& profileDir);
// New Session body for wdhost's chrome plugin (it adds its own headless flags and profile).
std::string wdhostChromeBody();
// `body` (a New Session body) asking for WebDriver BiDi too.
std::string withBidi(const std::string& body);
// New Session body for the stub plugin.
std::string stubBody();
// Sends New Session on `connection`; returns the session id, throws when not 200.
std::string createSession(HttpConnection& connection, const std::string& body);
// Sends Delete Session on `connection`; returns whether it answered 200.
bool deleteSession(HttpConnection& connection, const std::string& id);
// Throws unless a GET of `path` on `connection` answers 200.
void expectGet(HttpConnection& connection, const std::string& path);
// A TCP port on 127.0.0.1 the OS picks, free when this returns.
int freePort();

// VmRSS of process `pid` in KiB (0 when unreadable).
long rssKiB(int pid);
// wdhost arguments for the stub plugin relaying to 127.0.0.1:stubPort, room for 1100 sessions.
std::vector<std::string> stubHostArgs(const Options& options, int stubPort);
// Whether `wdhost --help` lists `option`.
bool wdhostOffers(const Options& options, const std::string& option);

} // namespace bench
