#include "webdriver/session_service.h"

#include "core/log.h"
#include "core/uuid.h"
#include "process/process_supervisor.h"
#include "process/temp_dirs.h"
#include "webdriver/capabilities.h"
#include "webdriver/matching.h"

#include "json/json.h"
#include <future>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <vector>

namespace wdh {

SessionService::SessionService(const PluginRegistry& registry, SessionMap& sessions,
                               HostServices services, SessionSettings settings)
    : registry_(registry), sessions_(sessions), services_(services), settings_(settings) {}

Status SessionService::newSession(std::string_view body, std::string* response) {
  rapidjson::Document request;
  Status status = parseJsonObject(body, &request);
  if (!status.isOk())
    return status;
  std::vector<rapidjson::Document> sets;
  status = mergeCapabilities(request, &sets);
  if (!status.isOk())
    return status;

  for (rapidjson::Document& caps : sets) {
    rapidjson::Document hostCaps;
    extractHostCapabilities(&caps, &hostCaps);
    std::string capsJson = toJson(caps);
    for (const auto& plugin : registry_.plugins()) {
      if (!matchesPlugin(caps, plugin->description()))
        continue;
      bool matched = false;
      std::string accepted;
      status = plugin->negotiate(capsJson, &matched, &accepted);
      if (!status.isOk())
        return status;
      if (matched)
        return launchOn(plugin, accepted, response);
    }
  }
  std::string asked;
  for (const rapidjson::Document& caps : sets) {
    if (!asked.empty())
      asked += " or ";
    asked += toJson(caps);
  }
  return Status(ErrorCode::SessionNotCreated, "no plugin matches the capabilities " + asked +
                                                  "; this host offers " +
                                                  describeOffer(registry_.plugins()));
}

Status SessionService::launchOn(const std::shared_ptr<LoadedPlugin>& plugin,
                                const std::string& capabilities, std::string* response) {
  std::string id = randomUuid();
  auto started = std::chrono::steady_clock::now();
  wdhost_session* handle = nullptr;
  std::string reply;
  Status status = plugin->launch(id, capabilities, &handle, &reply);
  if (!status.isOk()) {
    reclaim(id);
    log(LogLevel::Warn, "session", "new session failed: " + status.message());
    return status;
  }

  rapidjson::Document doc;
  Status parsed = parseJsonObject(reply, &doc);
  std::unique_ptr<Upstream> upstream;
  if (parsed.isOk()) {
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
  auto session = std::make_shared<Session>(id, plugin, handle, std::move(upstream));
  if (!parsed.isOk()) {
    closeSession(session);
    return Status(ErrorCode::SessionNotCreated,
                  plugin->name() + ": launch returned a malformed reply: " + parsed.message());
  }
  sessions_.add(session);

  rapidjson::Document requested;
  if (!parseJsonObject(capabilities, &requested).isOk())
    requested.SetObject();
  const PluginDescription& description = plugin->description();
  ServedBrowser served{description.browserName,
                       description.browsers.empty() ? "" : description.browsers.front().version,
                       description.platformName};
  completeReturnedCapabilities(&doc["capabilities"], doc.GetAllocator(), requested, served);

  rapidjson::Document out(rapidjson::kObjectType);
  auto& alloc = out.GetAllocator();
  rapidjson::Value value(rapidjson::kObjectType);
  value.AddMember("sessionId", rapidjson::Value(id.c_str(), alloc), alloc);
  value.AddMember("capabilities", rapidjson::Value(doc["capabilities"], alloc), alloc);
  out.AddMember("value", value, alloc);
  *response = toJson(out);
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  log(LogLevel::Info, "session",
      "created " + id + " on " + plugin->name() + " in " + std::to_string(elapsed.count()) + " ms");
  return Status::ok();
}

void SessionService::reclaim(const std::string& sessionId) {
  if (services_.processes != nullptr) {
    std::size_t killed = services_.processes->terminateOwnedBy(sessionId, settings_.teardownGrace);
    if (killed > 0)
      log(LogLevel::Warn, "session",
          sessionId + ": the plugin left " + std::to_string(killed) +
              " process(es) running; terminated them");
  }
  if (services_.tempDirs != nullptr)
    services_.tempDirs->removeOwnedBy(sessionId);
}

Status SessionService::closeSession(const std::shared_ptr<Session>& session) {
  Status status = session->close();
  reclaim(session->id());
  log(LogLevel::Info, "session", "deleted " + session->id());
  return status;
}

Status SessionService::deleteSession(std::string_view id) {
  std::shared_ptr<Session> session = sessions_.take(id);
  if (!session)
    return Status(ErrorCode::InvalidSessionId,
                  "no live session " + std::string(id) + " (never created, or already deleted)");
  Status status = closeSession(session);
  if (!status.isOk())
    log(LogLevel::Warn, "session", status.message());
  return Status::ok();
}

Status SessionService::execute(std::string_view id, std::string_view method,
                               std::string_view suffix, std::string_view body, RelayResponse* out) {
  std::shared_ptr<Session> session = sessions_.find(id);
  if (!session)
    return Status(ErrorCode::InvalidSessionId,
                  "no live session " + std::string(id) + " (never created, or already deleted)");
  return session->execute(method, suffix, body, settings_.commandTimeout, out);
}

std::string SessionService::statusJson() const {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  bool ready = !registry_.plugins().empty();
  w.StartObject();
  w.Key("value");
  w.StartObject();
  w.Key("ready");
  w.Bool(ready);
  w.Key("message");
  w.String(ready ? "wdhost is ready" : "wdhost has no browser plugin loaded");
  w.Key("build");
  w.StartObject();
  w.Key("version");
  w.String("0.1.0");
  w.EndObject();
  w.Key("sessions");
  w.Uint64(sessions_.size());
  w.Key("plugins");
  w.StartArray();
  for (const auto& plugin : registry_.plugins()) {
    w.StartObject();
    w.Key("name");
    w.String(plugin->name().c_str());
    w.Key("version");
    w.String(plugin->identity().version.c_str());
    w.Key("description");
    w.RawValue(plugin->description().json.c_str(), plugin->description().json.size(),
               rapidjson::kObjectType);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

void SessionService::closeAll() {
  std::vector<std::shared_ptr<Session>> all = sessions_.takeAll();
  std::vector<std::future<void>> pending;
  pending.reserve(all.size());
  for (auto& session : all)
    pending.push_back(std::async(std::launch::async, [this, session] { closeSession(session); }));
  for (auto& done : pending)
    done.wait();
}

} // namespace wdh
