#include "webdriver/host_status.h"

#include "core/version.h"
#include "process/process_supervisor.h"
#include "session/session.h"

#include "json/json.h"

namespace wdh {

std::size_t HostStatus::sessionSlotsInUse() const {
  std::size_t inUse = sessions_.slots().inUse();
  std::size_t warm = sessions_.warm().ready() + sessions_.warm().starting();
  return inUse > warm ? inUse - warm : 0;
}

HostSnapshot HostStatus::snapshot() const {
  HostSnapshot now;
  for (const auto& plugin : sessions_.registry().plugins())
    now.sessions[plugin->name()] = {0, 0, 0};
  for (const auto& session : sessions_.liveSessions())
    ++now.sessions[session->plugin().name()][static_cast<std::size_t>(SessionState::Active)];
  std::map<std::string, std::size_t> starting, closing;
  sessions_.countsByPlugin(&starting, &closing);
  for (const auto& [plugin, count] : starting)
    now.sessions[plugin][static_cast<std::size_t>(SessionState::Starting)] = count;
  for (const auto& [plugin, count] : closing)
    now.sessions[plugin][static_cast<std::size_t>(SessionState::Closing)] = count;
  for (const auto& plugin : sessions_.registry().plugins())
    if (plugin->remote() != nullptr) {
      RemotePluginHealth health = plugin->remote()->health();
      now.isolated[plugin->name()] = {health.crashes, health.pid};
    }
  now.maxSessions = sessions_.slots().maxSessions();
  now.queued = sessions_.slots().queued();
  now.draining = sessions_.draining();
  now.warmBrowsers = sessions_.warm().ready();
  now.sessionObjects = Session::liveObjects();
  if (Recordings* recordings = sessions_.recordings()) {
    RecordingCounts counts = recordings->counts();
    now.recordingsRunning = counts.running;
    now.recordingsEnded = std::move(counts.ended);
  }
  if (sessions_.services().processes != nullptr) {
    now.processes = sessions_.services().processes->size();
    now.warmDrivers = sessions_.services().processes->pidsOwnedBy("").size();
  }
  return now;
}

std::string HostStatus::statusJson() const {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  // A slot held by a browser started ahead is a New Session's for the taking.
  bool haveFreeSlot = sessions_.slots().hasFreeSlot("") || sessions_.warm().ready() > 0;
  bool draining = sessions_.draining();
  bool ready = !sessions_.registry().plugins().empty() && haveFreeSlot && !draining;
  std::string message =
      draining ? "wdhost is draining: no new sessions; it exits once its " +
                     std::to_string(sessions_.sessionsRunning()) + " running session(s) end"
      : sessions_.registry().plugins().empty() ? "wdhost has no browser plugin loaded"
      : !haveFreeSlot ? "wdhost is at its session limit; new sessions queue"
                      : "wdhost is ready";
  rapidjson::Value value(rapidjson::kObjectType);
  value.AddMember("ready", ready, a);
  value.AddMember("draining", draining, a);
  value.AddMember("message", rapidjson::Value(message.c_str(), a), a);
  rapidjson::Value build(rapidjson::kObjectType);
  build.AddMember("version", rapidjson::StringRef(kHostVersion), a);
  value.AddMember("build", build, a);
  value.AddMember("sessions", static_cast<std::uint64_t>(sessionSlotsInUse()), a);
  value.AddMember("closing", static_cast<std::uint64_t>(sessions_.closingCount()), a);
  value.AddMember("maxSessions", static_cast<std::uint64_t>(sessions_.slots().maxSessions()), a);
  value.AddMember("queued", static_cast<std::uint64_t>(sessions_.slots().queued()), a);
  value.AddMember("warm", static_cast<std::uint64_t>(sessions_.warm().ready()), a);
  value.AddMember("sessionTimeout",
                  static_cast<std::int64_t>(sessions_.settings().idleTimeout.count()), a);
  rapidjson::Value plugins(rapidjson::kArrayType);
  for (const auto& plugin : sessions_.registry().plugins()) {
    rapidjson::Value entry(rapidjson::kObjectType);
    entry.AddMember("name", rapidjson::Value(plugin->name().c_str(), a), a);
    entry.AddMember("version", rapidjson::Value(plugin->identity().version.c_str(), a), a);
    auto limit = sessions_.settings().maxSessionsPerPlugin.find(plugin->name());
    if (limit != sessions_.settings().maxSessionsPerPlugin.end())
      entry.AddMember("maxSessions", static_cast<std::uint64_t>(limit->second), a);
    if (plugin->description().document)
      entry.AddMember("description", rapidjson::Value(*plugin->description().document, a), a);
    entry.AddMember("isolated", plugin->remote() != nullptr, a);
    if (plugin->remote() != nullptr) {
      // How often its helper process crashed (or was ended for hanging), and how, last.
      RemotePluginHealth health = plugin->remote()->health();
      entry.AddMember("crashes", static_cast<uint64_t>(health.crashes), a);
      if (!health.lastCrash.empty())
        entry.AddMember("lastCrash", rapidjson::Value(health.lastCrash.c_str(), a), a);
    }
    plugins.PushBack(entry, a);
  }
  value.AddMember("plugins", plugins, a);
  doc.AddMember("value", value, a);
  return toJson(doc);
}

} // namespace wdh
