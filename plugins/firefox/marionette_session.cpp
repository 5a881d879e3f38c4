#include "marionette_session.h"

#include "firefox_options.h"
#include "firefox_profile.h"
#include "marionette_endpoints.h"
#include "profile_files.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sys/stat.h>
#include <time.h>
#include <wdhost/helpers.hpp>
#include <wdhost/json.hpp>

namespace wdhost::firefox {

using wdhost::json::toJson;
namespace {

using Clock = std::chrono::steady_clock;

constexpr uint32_t kQuitTimeoutMs = 5000;
constexpr uint32_t kExitWaitMs = 5000;
constexpr uint32_t kTerminateGraceMs = 2000;
constexpr uint32_t kXvfbStartupMs = 15000;
constexpr uint32_t kQuickTimeoutMs = 10000;
constexpr uint32_t kNewWindowAnswerMs = 3000; // then the handles tell whether it opened

void pause(long milliseconds) {
  struct timespec delay = {0, milliseconds * 1000 * 1000};
  nanosleep(&delay, nullptr);
}

// The port in <profile>/MarionetteActivePort, 0 until Firefox wrote it.
uint16_t readActivePort(const std::string& profileDir) {
  std::ifstream in(profileDir + "/MarionetteActivePort");
  unsigned long port = 0;
  if (!(in >> port) || port == 0 || port > 65535)
    return 0;
  return static_cast<uint16_t>(port);
}

std::string base64Decode(std::string_view text) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    int value = -1;
    if (c >= 'A' && c <= 'Z')
      value = c - 'A';
    else if (c >= 'a' && c <= 'z')
      value = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      value = c - '0' + 52;
    else if (c == '+')
      value = 62;
    else if (c == '/')
      value = 63;
    if (value < 0)
      continue;
    buffer = (buffer << 6) | static_cast<unsigned>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFFu);
    }
  }
  return out;
}

// The window handles in a WebDriver:GetWindowHandles result (a JSON array of strings).
std::vector<std::string> handleList(const std::string& result) {
  std::string value = unwrapValue(result);
  rapidjson::Document doc;
  doc.Parse(value.c_str(), value.size());
  std::vector<std::string> handles;
  if (!doc.HasParseError() && doc.IsArray())
    for (const auto& handle : doc.GetArray())
      if (handle.IsString())
        handles.emplace_back(handle.GetString(), handle.GetStringLength());
  return handles;
}

} // namespace

MarionetteSession::MarionetteSession(const wdhost::Host& host, const FirefoxInstall& install,
                                     const FirefoxConfig& config, std::string_view sessionId,
                                     std::string_view capabilities,
                                     const wdhost::Deadline& deadline)
    : host_(host) {
  if (deadline.expired())
    throw wdhost::Error(WDHOST_W3C_SESSION_NOT_CREATED,
                        "Firefox was not started: " + deadline.why());
  rapidjson::Document caps = parseCapabilities(capabilities, "session not created");
  FirefoxOptions options = readFirefoxOptions(caps);
  std::string binary = options.binary.empty() ? install.browserPath : options.binary;
  if (!wdhost::isExecutable(binary))
    throw wdhost::Error("session not created",
                        "moz:firefoxOptions.binary " + binary + " is not an executable file");

  workDir_ = std::make_unique<wdhost::TempDir>(host, sessionId, "firefox");
  profileDir_ = workDir_->path() + "/profile";
  prepareProfile(profileDir_, userJs(options.prefs, options.logLevel), options.profileBase64);

  std::vector<std::string> env = firefoxEnv(options.env);
  env.push_back("TMPDIR=" + workDir_->path());
  if (!install.xvfbPath.empty()) {
    xvfb_ = std::make_unique<wdhost::XvfbDisplay>(host, install.xvfbPath, sessionId, kXvfbStartupMs,
                                                  deadline);
    env.push_back("DISPLAY=" + xvfb_->display());
  }
  std::vector<std::string> argv = firefoxArgv(binary, profileDir_, options.args, config.headless);
  auto bidi = caps.FindMember("webSocketUrl");
  if (bidi != caps.MemberEnd() && bidi->value.IsTrue()) {
    // Firefox's own WebDriver BiDi server (the Remote Agent) on a port it picks; Marionette's
    // New Session then answers "webSocketUrl" with its address.
    argv.emplace_back("--remote-debugging-port");
    argv.emplace_back("0");
  }
  firefox_ = std::make_unique<wdhost::ChildProcess>(host, argv, env, sessionId);
  connect(config.startupTimeoutMs, deadline);
  startSession(capabilities, deadline);
}

void MarionetteSession::prepareProfile(const std::string& profileDir, const std::string& userJsText,
                                       const std::string& profileBase64) {
  if (::mkdir(profileDir.c_str(), 0700) != 0)
    throw wdhost::Error("session not created", "cannot create the profile " + profileDir);
  // The user's zipped profile (moz:firefoxOptions.profile, only with --allow-client-binaries):
  // files and directories only, nothing outside the profile, no links.
  if (!profileBase64.empty())
    unpackProfile(base64Decode(profileBase64), profileDir);
  // The user's own userChrome.css wins; user.js gets the host's prefs appended.
  writeProfileFile(profileDir, "chrome/userChrome.css", windowStylesheet(), false);
  writeProfileFile(profileDir, "user.js", userJsText, true);
}

uint16_t MarionetteSession::connect(uint32_t timeoutMs, const wdhost::Deadline& launch) {
  const wdhost::Deadline startup = launch.within(timeoutMs);
  std::string lastError = "Firefox did not write MarionetteActivePort";
  for (;;) {
    if (!firefox_->state().running())
      fail("exited (" + firefox_->state().describe() + ") before Marionette listened");
    uint16_t port = readActivePort(profileDir_);
    if (port != 0) {
      try {
        connection_ = std::make_unique<MarionetteConnection>(
            port, std::max<uint32_t>(startup.clamp(timeoutMs), 1));
        return port;
      } catch (const wdhost::Error& e) {
        lastError = e.what();
      }
    }
    if (startup.expired())
      fail("Marionette was not ready " +
           (launch.expired() ? "before " + launch.why()
                             : "within " + std::to_string(timeoutMs) + " ms") +
           " (" + lastError + ")");
    pause(static_cast<long>(startup.clamp(50)));
  }
}

void MarionetteSession::fail(const std::string& why) {
  std::string tail = wdhost::tailLines(firefox_->output(), 10);
  connection_.reset();
  firefox_->terminate(kTerminateGraceMs);
  throw wdhost::Error("session not created",
                      "Firefox " + why + (tail.empty() ? "" : "; its output: " + tail));
}

void MarionetteSession::startSession(std::string_view capabilities,
                                     const wdhost::Deadline& deadline) {
  std::string created;
  try {
    created = connection_->call("WebDriver:NewSession", marionetteCapabilities(capabilities),
                                kQuickTimeoutMs * 6, deadline);
  } catch (const wdhost::Error& e) {
    fail(std::string("refused the session (") + e.code() + "): " + e.what());
  }
  rapidjson::Document doc;
  doc.Parse(created.c_str(), created.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("capabilities") ||
      !doc["capabilities"].IsObject())
    fail("answered WebDriver:NewSession without capabilities: " + created.substr(0, 300));
  rapidjson::Value& caps = doc["capabilities"];
  auto& alloc = doc.GetAllocator();
  if (!caps.HasMember("userAgent")) {
    try {
      std::string agent = unwrapValue(connection_->call(
          "WebDriver:ExecuteScript", R"({"script":"return navigator.userAgent","args":[]})",
          kQuickTimeoutMs, deadline));
      rapidjson::Document ua;
      ua.Parse(agent.c_str(), agent.size());
      if (!ua.HasParseError() && ua.IsString())
        caps.AddMember("userAgent", rapidjson::Value(ua, alloc), alloc);
    } catch (const wdhost::Error& e) {
      host_.log(WDHOST_LOG_WARN, std::string("firefox: no userAgent: ") + e.what());
    }
  }
  if (!caps.HasMember("moz:profile"))
    caps.AddMember("moz:profile", rapidjson::Value(profileDir_.c_str(), alloc), alloc);
  if (auto timeouts = caps.FindMember("timeouts"); timeouts != caps.MemberEnd())
    rememberTimeouts(toJson(timeouts->value));
  rapidjson::Document reply(rapidjson::kObjectType);
  reply.AddMember("capabilities", rapidjson::Value(caps, reply.GetAllocator()),
                  reply.GetAllocator());
  launchReply_ = toJson(reply);
}

void MarionetteSession::rememberTimeouts(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject())
    return;
  auto read = [&](const char* key, int64_t* out) {
    auto it = doc.FindMember(key);
    if (it == doc.MemberEnd())
      return;
    if (it->value.IsNull())
      *out = -1;
    else if (it->value.IsInt64())
      *out = it->value.GetInt64();
  };
  read("script", &scriptMs_);
  read("pageLoad", &pageLoadMs_);
  read("implicit", &implicitMs_);
}

std::string MarionetteSession::commandWithin(std::string_view method, std::string_view path,
                                             std::string_view body,
                                             const wdhost::Deadline& deadline) {
  Match match = matchEndpoint(method, path);
  std::string params = buildParams(match, body);
  // Firefox gone means the session is gone: "invalid session id", so that clients stop and
  // the host ends the session at once.
  if (!connection_ || !connection_->open())
    throw wdhost::Error("invalid session id", "Firefox is gone: its Marionette connection closed");
  std::string result;
  try {
    uint32_t timeoutMs = answerTimeoutMs(match, params, scriptMs_, pageLoadMs_, implicitMs_);
    result = match.endpoint->command == "WebDriver:NewWindow"
                 ? newWindow(params, timeoutMs, deadline)
                 : connection_->call(match.endpoint->command, params, timeoutMs, deadline);
  } catch (const wdhost::Error& e) {
    if (connection_->open())
      throw;
    throw wdhost::Error("invalid session id", "Firefox went away during " +
                                                  std::string(match.endpoint->command) + " (" +
                                                  e.what() + ")");
  }
  if (match.endpoint->command == "WebDriver:SetTimeouts")
    rememberTimeouts(params);
  return buildValue(match, result);
}

std::string MarionetteSession::newWindow(const std::string& params, uint32_t timeoutMs,
                                         const wdhost::Deadline& call) {
  std::vector<std::string> before =
      handleList(connection_->call("WebDriver:GetWindowHandles", "{}", kQuickTimeoutMs, call));
  try {
    return connection_->call("WebDriver:NewWindow", params, kNewWindowAnswerMs, call);
  } catch (const wdhost::Error& e) {
    if (e.code() != "timeout" || !connection_->open())
      throw;
  }
  // Firefox opens a tab asked for from a popup window in another window, and Marionette never
  // answers (it waits for the tab in the popup). The new window is found among the handles.
  std::string type = params.find(R"("type":"window")") != std::string::npos ? "window" : "tab";
  auto deadline = Clock::now() + std::chrono::milliseconds(call.clamp(timeoutMs));
  while (Clock::now() < deadline) {
    for (const std::string& handle :
         handleList(connection_->call("WebDriver:GetWindowHandles", "{}", kQuickTimeoutMs, call)))
      if (std::find(before.begin(), before.end(), handle) == before.end()) {
        host_.log(WDHOST_LOG_DEBUG, "firefox: WebDriver:NewWindow did not answer; found the new "
                                    "window " +
                                        handle + " among the handles");
        rapidjson::Document reply(rapidjson::kObjectType);
        auto& alloc = reply.GetAllocator();
        reply.AddMember("handle", rapidjson::Value(handle.c_str(), alloc), alloc);
        reply.AddMember("type", rapidjson::Value(type.c_str(), alloc), alloc);
        return toJson(reply);
      }
    pause(100);
  }
  throw wdhost::Error("timeout", "WebDriver:NewWindow got no answer from Firefox within " +
                                     std::to_string(timeoutMs) + " ms and no new window appeared");
}

void MarionetteSession::teardown() {
  if (connection_ && connection_->open() && firefox_ && firefox_->state().running()) {
    try {
      connection_->call("Marionette:Quit", R"({"flags":["eForceQuit"]})", kQuitTimeoutMs);
    } catch (const wdhost::Error& e) {
      host_.log(WDHOST_LOG_DEBUG, std::string("firefox: Marionette:Quit: ") + e.what());
      try {
        if (connection_->open())
          connection_->call("WebDriver:DeleteSession", "{}", kQuitTimeoutMs);
      } catch (const wdhost::Error& again) {
        host_.log(WDHOST_LOG_DEBUG, std::string("firefox: DeleteSession: ") + again.what());
      }
    }
  }
  connection_.reset();
  if (firefox_) {
    // Let a quitting Firefox finish writing its profile, then end whatever is left of the tree.
    firefox_->waitExit(kExitWaitMs);
    firefox_->terminate(kTerminateGraceMs);
  }
  if (xvfb_)
    xvfb_->terminate(kTerminateGraceMs);
  workDir_.reset();
}

} // namespace wdhost::firefox
