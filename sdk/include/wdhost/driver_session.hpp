// Optional header-only helper for plugins whose browser is driven by a vendor WebDriver server
// (chromedriver, geckodriver, WebKitWebDriver, safaridriver): start the driver through the
// host, wait until it is ready, create the driver's session, and tear it all down.
// Requires RapidJSON (header-only); the rest of the SDK does not.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <netinet/in.h>
#include <optional>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <vector>
#include <wdhost/deadline.hpp>
#include <wdhost/helpers.hpp>
#include <wdhost/json.hpp>
#include <wdhost/services.hpp>

namespace wdhost {

// How to start one vendor driver. Each wait below is also bounded by the launch's Deadline
// (the host's --launch-timeout, told through the ABI 1.3 call context, or kLegacyLaunchMs on
// an older host), so the plugin's own error, naming what it waited for, always reaches the
// host before the host gives up on the launch.
struct DriverLaunch {
  std::string name;                     // for messages: "chromedriver"
  std::vector<std::string> argv;        // argv[0] absolute; may contain "{port}" (see below)
  std::vector<std::string> env;         // extra "NAME=value" entries
  std::string listeningMarker;          // text the driver prints before its port, or "" when the
                                        // driver cannot choose its own port: then a free port is
                                        // substituted for "{port}" in argv and /status is polled
  uint32_t startupTimeoutMs = 30000;    // how long the driver may take to be ready
  uint32_t newSessionTimeoutMs = 90000; // how long its New Session may take
  uint32_t teardownGraceMs = 2000;
  // The vendor options object of the returned capabilities whose "debuggerAddress" (host:port)
  // is the browser's DevTools endpoint, e.g. "goog:chromeOptions"; empty when there is none.
  // With it the launch reply gains "cdp": "http://host:port", and the host relays CDP there.
  std::string debuggerAddressKey;
};

// A free TCP port on 127.0.0.1 as the kernel chose it (closed again; a driver that must be told
// its port binds it right after, and a lost race is retried by DriverSession).
inline uint16_t freeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0)
    port = ntohs(address.sin_port);
  ::close(fd);
  return port;
}

// Compact JSON of a RapidJSON value (wdhost::json::toJson, kept for plugins that call it).
inline std::string toJsonString(const rapidjson::Value& value) {
  return json::toJson(value);
}

// The W3C New Session body {"capabilities":{"alwaysMatch":caps,"firstMatch":[{}]}} for a
// driver, from one merged capabilities object.
inline std::string newSessionBody(const rapidjson::Value& alwaysMatch) {
  rapidjson::Document body(rapidjson::kObjectType);
  auto& alloc = body.GetAllocator();
  rapidjson::Value wrapper(rapidjson::kObjectType);
  wrapper.AddMember("alwaysMatch", rapidjson::Value(alwaysMatch, alloc), alloc);
  rapidjson::Value firstMatch(rapidjson::kArrayType);
  firstMatch.PushBack(rapidjson::Value(rapidjson::kObjectType), alloc);
  wrapper.AddMember("firstMatch", firstMatch, alloc);
  body.AddMember("capabilities", wrapper, alloc);
  return toJsonString(body);
}

// The W3C error message in a driver's error body, or the body itself (shortened).
inline std::string driverErrorMessage(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str(), body.size());
  if (!doc.HasParseError() && doc.IsObject() && doc.HasMember("value") && doc["value"].IsObject() &&
      doc["value"].HasMember("message") && doc["value"]["message"].IsString())
    return doc["value"]["message"].GetString();
  return body.substr(0, 2000);
}

// A vendor driver that is running and ready: its process, its base URL, and (optionally) a
// private directory that goes wherever the driver goes.
// The work dir comes first so that it is removed last: only once the process that writes in
// it is gone.
struct StartedDriver {
  std::unique_ptr<TempDir> workDir;      // e.g. the driver's TMPDIR; may be null
  std::unique_ptr<ChildProcess> process; // the driver's process tree
  std::string url;                       // "http://127.0.0.1:N"
};

namespace detail {

[[noreturn]] inline void driverFailed(ChildProcess& process, const std::string& name,
                                      const std::string& why, const std::string& output) {
  std::string tail = tailLines(output, 10);
  process.terminate(0);
  throw Error(WDHOST_W3C_SESSION_NOT_CREATED,
              name + " " + why + (tail.empty() ? "" : "; its output: " + tail));
}

// How long a wait bounded by the driver's own `ownMs` and the launch's `launch` deadline may
// take, and what to say when it runs out: "within N ms" or what ended the launch.
inline std::string ranOut(const Deadline& launch, uint32_t ownMs) {
  if (launch.expired())
    return "before " + launch.why() + " (the launch's deadline, --launch-timeout)";
  return "within " + std::to_string(ownMs) + " ms";
}

// waitOutput in slices, so that the host's cancellation is seen within 250 ms; the total is
// bounded by `until`.
inline std::pair<wdhost_status, std::string>
waitOutputUntil(const ChildProcess& process, const std::string& needle, const Deadline& until) {
  for (;;) {
    auto [status, output] = process.waitOutput(needle, until.clamp(250));
    if (status != WDHOST_TIMEOUT || until.expired())
      return {status, output};
  }
}

// Polls GET /status until it answers 200, the driver exits, or `startup` (the startup time,
// cut by the launch's deadline) runs out; throws Error("session not created") saying which.
inline void waitDriverReady(const Host& host, ChildProcess& process, const DriverLaunch& launch,
                            const std::string& url, const Deadline& startup,
                            const Deadline& whole) {
  std::string lastError;
  for (;;) {
    try {
      HttpRequest status;
      status.url = url + "/status";
      status.timeoutMs = 2000;
      status.deadline = startup;
      HttpResponse ready = httpSend(host, status, WDHOST_W3C_SESSION_NOT_CREATED);
      if (ready.status == 200)
        return;
      lastError = "/status answered " + std::to_string(ready.status);
    } catch (const Error& e) {
      lastError = e.what();
    }
    if (!process.state().running())
      driverFailed(process, launch.name,
                   "exited (" + process.state().describe() + ") before it was ready",
                   process.output());
    if (!startup.expired()) {
      struct timespec pause = {0, static_cast<long>(startup.clamp(25)) * 1000 * 1000};
      nanosleep(&pause, nullptr);
    }
    if (startup.expired()) // the last answer, not "not sent", says how it stood
      driverFailed(process, launch.name,
                   "was not ready " + ranOut(whole, launch.startupTimeoutMs) + " (" + lastError +
                       ")",
                   process.output());
  }
}

// One attempt at starting the driver; throws Error("session not created") saying why.
inline StartedDriver startDriverOnce(const Host& host, const DriverLaunch& launch,
                                     std::string_view owner, const Deadline& deadline) {
  if (deadline.expired())
    throw Error(WDHOST_W3C_SESSION_NOT_CREATED,
                launch.name + " was not started: " + deadline.why());
  const Deadline startup = deadline.within(launch.startupTimeoutMs);
  std::vector<std::string> argv = launch.argv;
  uint16_t port = 0;
  if (launch.listeningMarker.empty()) {
    port = freeLoopbackPort();
    if (port == 0)
      throw Error(WDHOST_W3C_SESSION_NOT_CREATED, "no free loopback port for " + launch.name);
    for (std::string& arg : argv) {
      std::size_t at = arg.find("{port}");
      if (at != std::string::npos)
        arg.replace(at, 6, std::to_string(port));
    }
  }
  StartedDriver driver;
  driver.process = std::make_unique<ChildProcess>(host, argv, launch.env, owner);
  if (!launch.listeningMarker.empty()) {
    auto [status, output] = waitOutputUntil(*driver.process, launch.listeningMarker, startup);
    if (status != WDHOST_OK)
      driverFailed(*driver.process, launch.name,
                   status == WDHOST_TIMEOUT
                       ? "did not start listening " + ranOut(deadline, launch.startupTimeoutMs)
                       : "exited (" + driver.process->state().describe() + ") before listening",
                   output);
    port = portAfter(output, launch.listeningMarker);
    if (port == 0)
      driverFailed(*driver.process, launch.name, "did not say its port", output);
  }
  driver.url = "http://127.0.0.1:" + std::to_string(port);
  waitDriverReady(host, *driver.process, launch, driver.url, startup, deadline);
  return driver;
}

} // namespace detail

// Starts a vendor driver for session `owner` ("" = none yet) and waits until it is ready,
// within launch.startupTimeoutMs and `deadline` (the launch's; none for a driver started
// ahead). A driver told a port it then lost to another process gets another port (3 tries).
inline StartedDriver startDriver(const Host& host, const DriverLaunch& launch,
                                 std::string_view owner, const Deadline& deadline = Deadline()) {
  constexpr int kPortAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    try {
      return detail::startDriverOnce(host, launch, owner, deadline);
    } catch (const Error&) {
      if (!launch.listeningMarker.empty() || attempt == kPortAttempts || deadline.expired())
        throw;
    }
  }
}

// The user agents browsers reported, by launch configuration; thread-safe. Asking a fresh
// session for navigator.userAgent costs a round trip that chromedriver answers only after
// 200-400 ms, so a plugin keeps one of these and asks once per configuration.
class UserAgentCache {
public:
  // The agent remembered for `key`, or nullopt.
  std::optional<std::string> find(const std::string& key) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = agents_.find(key);
    if (found == agents_.end())
      return std::nullopt;
    return found->second;
  }
  // Remembers `agent` for `key` (bounded: the oldest entries are forgotten first).
  void remember(const std::string& key, const std::string& agent) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (agents_.count(key) == 0) {
      if (order_.size() >= kMaxEntries) {
        agents_.erase(order_.front());
        order_.erase(order_.begin());
      }
      order_.push_back(key);
    }
    agents_[key] = agent;
  }

private:
  static constexpr std::size_t kMaxEntries = 64;
  mutable std::mutex mutex_;
  std::map<std::string, std::string> agents_;
  std::vector<std::string> order_;
};

// How a DriverSession fills the "userAgent" capability when the driver does not return it.
struct UserAgentLookup {
  bool ask = true;                 // false: leave it out
  UserAgentCache* cache = nullptr; // when set, asked first and told what the page reported
  std::string key;                 // everything in the launch that can change the user agent
};

// A session on a private vendor driver. The constructor creates the session on a driver it
// starts, or on one started ahead of time (throws Error("session not created") with the
// driver's own words, leaving nothing running); teardown() deletes it and ends the driver.
// `deadline` (the launch's, see Plugin::launchWithin) bounds every wait of the constructor.
class DriverSession : public Session {
public:
  // Starts a driver as `launch` says, then creates the session with `newSessionBody` (the W3C
  // New Session body). With `askUserAgent` the returned capabilities gain "userAgent" as the
  // page reports it, when the driver lacks it.
  DriverSession(const Host& host, std::string_view sessionId, const DriverLaunch& launch,
                const std::string& newSessionBody, bool askUserAgent = true,
                const Deadline& deadline = Deadline())
      : DriverSession(host, sessionId, launch, newSessionBody,
                      UserAgentLookup{askUserAgent, nullptr, std::string()},
                      startDriver(host, launch, sessionId, deadline), deadline) {}

  // Creates the session on `started`, a driver started ahead of time, which it now owns.
  DriverSession(const Host& host, std::string_view sessionId, const DriverLaunch& launch,
                const std::string& newSessionBody, bool askUserAgent, StartedDriver started,
                const Deadline& deadline = Deadline())
      : DriverSession(host, sessionId, launch, newSessionBody,
                      UserAgentLookup{askUserAgent, nullptr, std::string()}, std::move(started),
                      deadline) {}

  // The same, with the user agent looked up in a cache before the page is asked. The driver's
  // process and work dir become the session's (the host ends and removes them with it).
  DriverSession(const Host& host, std::string_view sessionId, const DriverLaunch& launch,
                const std::string& newSessionBody, const UserAgentLookup& userAgent,
                StartedDriver started, const Deadline& deadline = Deadline())
      : host_(host), sessionId_(sessionId), launch_(launch), workDir_(std::move(started.workDir)),
        driver_(std::move(started.process)), driverUrl_(std::move(started.url)) {
    driver_->adopt(sessionId_);
    if (workDir_)
      workDir_->adopt(sessionId_);
    // On failure the members' destructors end the driver and remove its work dir.
    createSession(newSessionBody, userAgent, deadline);
  }

  // {"capabilities":{..},"upstream":"http://127.0.0.1:N/session/<driver's id>"}
  std::string launchReply() const override { return launchReply_; }

  // DELETE upstream (best effort, only while the driver runs), then end the driver's tree.
  void teardown() override {
    if (!upstream_.empty() && driver_ && driver_->state().running()) {
      try {
        httpRequest(host_, "DELETE", upstream_, "", kQuickTimeoutMs);
      } catch (const Error& e) {
        host_.log(WDHOST_LOG_WARN, launch_.name + ": DELETE session failed: " + e.what());
      }
    }
    if (driver_)
      driver_->terminate(launch_.teardownGraceMs);
    workDir_.reset();
  }

  // The driver's base URL, "http://127.0.0.1:N".
  const std::string& driverUrl() const noexcept { return driverUrl_; }
  // The driver's session URL, "http://127.0.0.1:N/session/ID".
  const std::string& upstream() const noexcept { return upstream_; }
  // The private directory that came with the driver, or null.
  const TempDir* workDir() const noexcept { return workDir_.get(); }

private:
  static constexpr uint32_t kQuickTimeoutMs = 10000;

  void createSession(const std::string& body, const UserAgentLookup& userAgent,
                     const Deadline& deadline) {
    using Clock = std::chrono::steady_clock;
    auto msSince = [](Clock::time_point then) {
      return std::to_string(
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - then).count());
    };
    auto asked = Clock::now();
    HttpRequest newSession;
    newSession.method = "POST";
    newSession.url = driverUrl_ + "/session";
    newSession.headers = {{"Content-Type", "application/json; charset=utf-8"}};
    newSession.body = body;
    newSession.timeoutMs = launch_.newSessionTimeoutMs;
    newSession.deadline = deadline;
    HttpResponse created;
    try {
      created = httpSend(host_, newSession, WDHOST_W3C_SESSION_NOT_CREATED);
    } catch (const Error& e) {
      throw Error(WDHOST_W3C_SESSION_NOT_CREATED,
                  launch_.name + " did not answer New Session " +
                      detail::ranOut(deadline, launch_.newSessionTimeoutMs) + ": " + e.what());
    }
    std::string timing = launch_.name + " New Session " + msSince(asked) + " ms";
    if (created.status != 200)
      throw Error(WDHOST_W3C_SESSION_NOT_CREATED,
                  launch_.name + ": " + driverErrorMessage(created.body));
    rapidjson::Document doc;
    doc.Parse(created.body.c_str(), created.body.size());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("value") ||
        !doc["value"].IsObject() || !doc["value"].HasMember("sessionId") ||
        !doc["value"]["sessionId"].IsString() || !doc["value"].HasMember("capabilities") ||
        !doc["value"]["capabilities"].IsObject())
      throw Error(WDHOST_W3C_SESSION_NOT_CREATED, launch_.name +
                                                      " answered New Session without a "
                                                      "sessionId and capabilities: " +
                                                      created.body.substr(0, 500));
    upstream_ = driverUrl_ + "/session/" + doc["value"]["sessionId"].GetString();
    rapidjson::Value& caps = doc["value"]["capabilities"];
    auto& alloc = doc.GetAllocator();
    if (userAgent.ask && !caps.HasMember("userAgent")) {
      std::optional<std::string> known;
      if (userAgent.cache != nullptr)
        known = userAgent.cache->find(userAgent.key);
      if (!known) {
        auto probed = Clock::now();
        HttpRequest ask;
        ask.method = "POST";
        ask.url = upstream_ + "/execute/sync";
        ask.headers = {{"Content-Type", "application/json; charset=utf-8"}};
        ask.body = R"({"script":"return navigator.userAgent","args":[]})";
        ask.timeoutMs = kQuickTimeoutMs;
        ask.deadline = deadline;
        HttpResponse agent = httpSend(host_, ask, WDHOST_W3C_SESSION_NOT_CREATED);
        rapidjson::Document ua;
        ua.Parse(agent.body.c_str(), agent.body.size());
        if (agent.status == 200 && !ua.HasParseError() && ua.IsObject() && ua.HasMember("value") &&
            ua["value"].IsString()) {
          known = std::string(ua["value"].GetString(), ua["value"].GetStringLength());
          if (userAgent.cache != nullptr)
            userAgent.cache->remember(userAgent.key, *known);
        }
        timing += ", user agent asked of the page " + msSince(probed) + " ms";
      } else {
        timing += ", user agent from the cache";
      }
      if (known)
        caps.AddMember("userAgent", rapidjson::Value(known->c_str(), alloc), alloc);
    }
    rapidjson::Document reply(rapidjson::kObjectType);
    auto& replyAlloc = reply.GetAllocator();
    reply.AddMember("capabilities", rapidjson::Value(caps, replyAlloc), replyAlloc);
    reply.AddMember("upstream", rapidjson::Value(upstream_.c_str(), replyAlloc), replyAlloc);
    std::string devTools = debuggerAddress(caps);
    if (!devTools.empty())
      reply.AddMember("cdp", rapidjson::Value(("http://" + devTools).c_str(), replyAlloc),
                      replyAlloc);
    launchReply_ = toJsonString(reply);
    host_.log(WDHOST_LOG_DEBUG, timing);
  }

  // The "debuggerAddress" under launch_.debuggerAddressKey in `caps`, "localhost" spelled as
  // 127.0.0.1 (where the browsers listen), or "".
  std::string debuggerAddress(const rapidjson::Value& caps) const {
    if (launch_.debuggerAddressKey.empty())
      return {};
    auto options = caps.FindMember(launch_.debuggerAddressKey.c_str());
    if (options == caps.MemberEnd() || !options->value.IsObject())
      return {};
    auto address = options->value.FindMember("debuggerAddress");
    if (address == options->value.MemberEnd() || !address->value.IsString())
      return {};
    std::string text(address->value.GetString(), address->value.GetStringLength());
    if (text.rfind("localhost:", 0) == 0)
      text = "127.0.0.1" + text.substr(9);
    return text;
  }

  Host host_;
  std::string sessionId_;
  DriverLaunch launch_;
  std::unique_ptr<TempDir> workDir_; // before driver_: removed only once the driver is gone
  std::unique_ptr<ChildProcess> driver_;
  std::string driverUrl_;
  std::string upstream_;
  std::string launchReply_;
};

} // namespace wdhost
