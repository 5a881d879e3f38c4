#include "chrome_session.h"

#include "chrome_options.h"

#include <filesystem>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <system_error>
#include <unistd.h>
#include <wdhost/helpers.hpp>

namespace chrome {
namespace {

constexpr std::string_view kListeningMarker = "started successfully on port ";
constexpr uint32_t kStatusTimeoutMs = 5000;
constexpr uint32_t kNewSessionTimeoutMs = 90000;
constexpr uint32_t kQuickCommandTimeoutMs = 10000;
constexpr uint32_t kTeardownGraceMs = 2000;
constexpr std::size_t kMaxTmpDirLength = 60;

std::string toJson(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

// The driver's W3C error message from an error body, or the body itself.
std::string driverError(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str(), body.size());
  if (!doc.HasParseError() && doc.IsObject() && doc.HasMember("value") && doc["value"].IsObject() &&
      doc["value"].HasMember("message") && doc["value"]["message"].IsString())
    return doc["value"]["message"].GetString();
  return body.substr(0, 2000);
}

} // namespace

ChromeSession::ChromeSession(const wdhost::Host& host, const ChromeInstall& install,
                             const ChromeConfig& config, std::string_view sessionId,
                             std::string_view capabilities)
    : host_(host), sessionId_(sessionId) {
  workDir_ = std::make_unique<wdhost::TempDir>(host, sessionId, "chrome");
  driverUrl_ = startDriver(install, config);
  std::string body = driverNewSessionBody(capabilities, install, config,
                                          workDir_->path() + "/profile", ::geteuid() == 0);
  createDriverSession(body);
}

std::string ChromeSession::startDriver(const ChromeInstall& install, const ChromeConfig& config) {
  // What the driver and the browser write to temp goes in the session's own directory, so
  // that nothing outlives the session; unless that path would push Chrome's Unix socket
  // paths (TMPDIR + 46 bytes) past the kernel's 108-byte limit.
  std::vector<std::string> env;
  std::string tmp = workDir_->path() + "/t";
  std::error_code error;
  if (tmp.size() <= kMaxTmpDirLength && std::filesystem::create_directory(tmp, error))
    env.push_back("TMPDIR=" + tmp);
  else
    host_.log(WDHOST_LOG_DEBUG, "TMPDIR left as is: " + tmp + " is too long for Unix sockets");
  driver_ = std::make_unique<wdhost::ChildProcess>(
      host_, std::vector<std::string>{install.driverPath, "--port=0"}, env, sessionId_);
  auto [status, output] = driver_->waitOutput(kListeningMarker, config.startupTimeoutMs);
  if (status != WDHOST_OK) {
    std::string why =
        status == WDHOST_TIMEOUT
            ? "did not start listening within " + std::to_string(config.startupTimeoutMs) + " ms"
            : "exited (" + driver_->state().describe() + ") before listening";
    throw wdhost::Error("session not created",
                        "chromedriver " + why + "; its output: " + wdhost::tailLines(output, 10));
  }
  uint16_t port = wdhost::portAfter(output, kListeningMarker);
  if (port == 0)
    throw wdhost::Error("session not created",
                        "chromedriver did not say its port: " + wdhost::tailLines(output, 5));
  std::string url = "http://127.0.0.1:" + std::to_string(port);
  wdhost::HttpResponse ready = wdhost::httpRequest(host_, "GET", url + "/status", "",
                                                   kStatusTimeoutMs, "session not created");
  if (ready.status != 200)
    throw wdhost::Error("session not created", "chromedriver's /status answered " +
                                                   std::to_string(ready.status) + ": " +
                                                   ready.body.substr(0, 500));
  return url;
}

void ChromeSession::createDriverSession(const std::string& body) {
  wdhost::HttpResponse created = wdhost::httpRequest(host_, "POST", driverUrl_ + "/session", body,
                                                     kNewSessionTimeoutMs, "session not created");
  if (created.status != 200)
    throw wdhost::Error("session not created", "chromedriver: " + driverError(created.body));
  rapidjson::Document doc;
  doc.Parse(created.body.c_str(), created.body.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("value") || !doc["value"].IsObject())
    throw wdhost::Error("session not created", "chromedriver answered New Session with "
                                               "malformed JSON: " +
                                                   created.body.substr(0, 500));
  rapidjson::Value& value = doc["value"];
  if (!value.HasMember("sessionId") || !value["sessionId"].IsString() ||
      !value.HasMember("capabilities") || !value["capabilities"].IsObject())
    throw wdhost::Error("session not created",
                        "chromedriver's New Session reply has no sessionId or capabilities");
  upstream_ = driverUrl_ + "/session/" + value["sessionId"].GetString();
  rapidjson::Value& caps = value["capabilities"];
  auto& alloc = doc.GetAllocator();

  // W3C userAgent: what the browser really sends, asked from the page itself.
  if (!caps.HasMember("userAgent")) {
    wdhost::HttpResponse agent =
        wdhost::httpRequest(host_, "POST", upstream_ + "/execute/sync",
                            R"({"script":"return navigator.userAgent","args":[]})",
                            kQuickCommandTimeoutMs, "session not created");
    rapidjson::Document ua;
    ua.Parse(agent.body.c_str(), agent.body.size());
    if (agent.status == 200 && !ua.HasParseError() && ua.IsObject() && ua.HasMember("value") &&
        ua["value"].IsString())
      caps.AddMember("userAgent", rapidjson::Value(ua["value"], alloc), alloc);
  }

  rapidjson::Document reply(rapidjson::kObjectType);
  auto& replyAlloc = reply.GetAllocator();
  reply.AddMember("capabilities", rapidjson::Value(caps, replyAlloc), replyAlloc);
  reply.AddMember("upstream", rapidjson::Value(upstream_.c_str(), replyAlloc), replyAlloc);
  launchReply_ = toJson(reply);
}

void ChromeSession::teardown() {
  if (!upstream_.empty() && driver_ && driver_->state().running()) {
    try {
      wdhost::httpRequest(host_, "DELETE", upstream_, "", kQuickCommandTimeoutMs);
    } catch (const wdhost::Error& e) {
      host_.log(WDHOST_LOG_WARN, std::string("DELETE upstream failed: ") + e.what());
    }
  }
  if (driver_)
    driver_->terminate(kTeardownGraceMs);
  workDir_.reset();
}

} // namespace chrome
