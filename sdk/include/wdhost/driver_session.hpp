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
#include <wdhost/helpers.hpp>
#include <wdhost/json.hpp>
#include <wdhost/services.hpp>

namespace wdhost {

// How to start one vendor driver.
struct DriverLaunch {
  std::string name;                  // for messages: "chromedriver"
  std::vector<std::string> argv;     // argv[0] absolute; may contain "{port}" (see below)
  std::vector<std::string> env;      // extra "NAME=value" entries
  std::string listeningMarker;       // text the driver prints before its port, or "" when the
                                     // driver cannot choose its own port: then a free port is
                                     // substituted for "{port}" in argv and /status is polled
  uint32_t startupTimeoutMs = 30000; // how long the driver may take to be ready
  uint32_t newSessionTimeoutMs = 90000;
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
struct StartedDriver {
  std::unique_ptr<ChildProcess> process; // the driver's process tree
  std::string url;                       // "http://127.0.0.1:N"
  std::unique_ptr<TempDir> workDir;      // e.g. the driver's TMPDIR; may be null
};

namespace detail {

[[noreturn]] inline void driverFailed(ChildProcess& process, const std::string& name,
                                      const std::string& why, const std::string& output) {
  std::string tail = tailLines(output, 10);
  process.terminate(0);
  throw Error("session not created",
              name + " " + why + (tail.empty() ? "" : "; its output: " + tail));
}

// Polls GET /status until it answers 200, the driver exits, or the startup time runs out.
inline void waitDriverReady(const Host& host, ChildProcess& process, const DriverLaunch& launch,
                            const std::string& url) {
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(launch.startupTimeoutMs);
  std::string lastError;
  for (int round = 0; round < 100000; ++round) {
    try {
      HttpResponse ready =
          httpRequest(host, "GET", url + "/status", "", 2000, "session not created");
      if (ready.status == 200)
        return;
      lastError = "/status answered " + std::to_string(ready.status);
    } catch (const Error& e) {
      lastError = e.what();
    }
    if (!process.state().running())
      driverFailed(process, launch.name,
                   "exited (" + process.state().describe() + ") before it was ready",
                   process.waitOutput("", 0).second);
    if (std::chrono::steady_clock::now() >= deadline)
      driverFailed(process, launch.name,
                   "was not ready within " + std::to_string(launch.startupTimeoutMs) + " ms (" +
                       lastError + ")",
                   process.waitOutput("", 0).second);
    struct timespec pause = {0, 25 * 1000 * 1000};
    nanosleep(&pause, nullptr);
  }
}

// One attempt at starting the driver; throws Error("session not created") saying why.
inline StartedDriver startDriverOnce(const Host& host, const DriverLaunch& launch,
                                     std::string_view owner) {
  std::vector<std::string> argv = launch.argv;
  uint16_t port = 0;
  if (launch.listeningMarker.empty()) {
    port = freeLoopbackPort();
    if (port == 0)
      throw Error("session not created", "no free loopback port for " + launch.name);
    for (std::string& arg : argv) {
      std::size_t at = arg.find("{port}");
      if (at != std::string::npos)
        arg.replace(at, 6, std::to_string(port));
    }
  }
  StartedDriver driver;
  driver.process = std::make_unique<ChildProcess>(host, argv, launch.env, owner);
  if (!launch.listeningMarker.empty()) {
    auto [status, output] =
        driver.process->waitOutput(launch.listeningMarker, launch.startupTimeoutMs);
    if (status != WDHOST_OK)
      driverFailed(*driver.process, launch.name,
                   status == WDHOST_TIMEOUT
                       ? "did not start listening within " +
                             std::to_string(launch.startupTimeoutMs) + " ms"
                       : "exited (" + driver.process->state().describe() + ") before listening",
                   output);
    port = portAfter(output, launch.listeningMarker);
    if (port == 0)
      driverFailed(*driver.process, launch.name, "did not say its port", output);
  }
  driver.url = "http://127.0.0.1:" + std::to_string(port);
  waitDriverReady(host, *driver.process, launch, driver.url);
  return driver;
}

} // namespace detail

// Starts a vendor driver for session `owner` ("" = none yet) and waits until it is ready. A
// driver told a port it then lost to another process gets another port (3 tries).
inline StartedDriver startDriver(const Host& host, const DriverLaunch& launch,
                                 std::string_view owner) {
  constexpr int kPortAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    try {
      return detail::startDriverOnce(host, launch, owner);
    } catch (const Error&) {
      if (!launch.listeningMarker.empty() || attempt == kPortAttempts)
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
class DriverSession : public Session {
public:
  // Starts a driver as `launch` says, then creates the session with `newSessionBody` (the W3C
  // New Session body). With `askUserAgent` the returned capabilities gain "userAgent" as the
  // page reports it, when the driver lacks it.
  DriverSession(const Host& host, std::string_view sessionId, const DriverLaunch& launch,
                const std::string& newSessionBody, bool askUserAgent = true)
      : DriverSession(host, sessionId, launch, newSessionBody, askUserAgent,
                      startDriver(host, launch, sessionId)) {}

  // Creates the session on `started`, a driver started ahead of time, which it now owns.
  DriverSession(const Host& host, std::string_view sessionId, const DriverLaunch& launch,
                const std::string& newSessionBody, bool askUserAgent, StartedDriver started)
      : DriverSession(host, sessionId, launch, newSessionBody,
                      UserAgentLookup{askUserAgent, nullptr, std::string()}, std::move(started)) {}

  // The same, with the user agent looked up in a cache before the page is asked.
  DriverSession(const Host& host, std::string_view sessionId, const DriverLaunch& launch,
                const std::string& newSessionBody, const UserAgentLookup& userAgent,
                StartedDriver started)
      : host_(host), sessionId_(sessionId), launch_(launch), driver_(std::move(started.process)),
        workDir_(std::move(started.workDir)), driverUrl_(std::move(started.url)) {
    driver_->adopt(sessionId_);
    createSession(newSessionBody, userAgent);
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

  void createSession(const std::string& body, const UserAgentLookup& userAgent) {
    using Clock = std::chrono::steady_clock;
    auto msSince = [](Clock::time_point then) {
      return std::to_string(
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - then).count());
    };
    auto asked = Clock::now();
    HttpResponse created = httpRequest(host_, "POST", driverUrl_ + "/session", body,
                                       launch_.newSessionTimeoutMs, "session not created");
    std::string timing = launch_.name + " New Session " + msSince(asked) + " ms";
    if (created.status != 200)
      throw Error("session not created", launch_.name + ": " + driverErrorMessage(created.body));
    rapidjson::Document doc;
    doc.Parse(created.body.c_str(), created.body.size());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("value") ||
        !doc["value"].IsObject() || !doc["value"].HasMember("sessionId") ||
        !doc["value"]["sessionId"].IsString() || !doc["value"].HasMember("capabilities") ||
        !doc["value"]["capabilities"].IsObject())
      throw Error("session not created", launch_.name +
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
        HttpResponse agent = httpRequest(host_, "POST", upstream_ + "/execute/sync",
                                         R"({"script":"return navigator.userAgent","args":[]})",
                                         kQuickTimeoutMs, "session not created");
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
  std::unique_ptr<ChildProcess> driver_;
  std::unique_ptr<TempDir> workDir_;
  std::string driverUrl_;
  std::string upstream_;
  std::string launchReply_;
};

} // namespace wdhost
