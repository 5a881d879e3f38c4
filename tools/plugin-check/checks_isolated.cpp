// The check that a plugin behaves the same isolated (loaded by wdhost-plugin-host, every call
// over its channel) as in the host's own process: the same identity and description, the same
// negotiation, and (unless --skip-launch) a session launched and torn down through the helper
// with nothing left running.
#include "check_support.h"
#include "checks.h"
#include "plugin/loaded_plugin.h"
#include "plugin/remote_plugin.h"
#include "watched_host.h"

#include "json/json.h"
#include <algorithm>
#include <chrono>
#include <thread>
#include <unistd.h>
#include <wdhost/extension_warm.h>

namespace check {

namespace {

// Opens and initialises the plugin at `context.path`, in this process or isolated.
wdh::Status openPlugin(const Context& context, wdh::HostServices services, bool isolated,
                       std::unique_ptr<wdh::LoadedPlugin>* out) {
  wdh::Status status =
      isolated
          ? wdh::LoadedPlugin::openIsolated(
                wdh::RemotePluginSettings{context.path, context.helperPath, services.processes},
                out)
          : wdh::LoadedPlugin::open(context.path, out);
  if (status.isOk())
    status = (*out)->initialise(context.config, services);
  return status;
}

std::string descriptionOf(const wdh::LoadedPlugin& plugin) {
  const auto& document = plugin.description().document;
  return document ? wdh::toJson(*document) : "";
}

} // namespace

Outcome checkIsolated(const Context& context) {
  if (access(context.helperPath.c_str(), X_OK) != 0)
    return Outcome::skip("no wdhost-plugin-host at " + context.helperPath + " (give --helper)");
  std::string error;
  std::unique_ptr<WatchedHost> host = WatchedHost::create(context.guardPath, &error);
  if (!host)
    return Outcome::fail(error);
  std::unique_ptr<wdh::LoadedPlugin> local;
  std::unique_ptr<wdh::LoadedPlugin> isolated;
  wdh::Status status = openPlugin(context, host->services(), false, &local);
  if (!status.isOk())
    return Outcome::fail("in process: " + status.message());
  status = openPlugin(context, host->services(), true, &isolated);
  if (!status.isOk())
    return Outcome::fail("isolated: " + status.message());
  const wdh::PluginIdentity& a = local->identity();
  const wdh::PluginIdentity& b = isolated->identity();
  if (a.id != b.id || a.name != b.name || a.version != b.version || a.abiMinor != b.abiMinor)
    return Outcome::fail("isolated it says it is " + b.id + " " + b.version + " (ABI 1." +
                         std::to_string(b.abiMinor) + "), in process " + a.id + " " + a.version +
                         " (ABI 1." + std::to_string(a.abiMinor) + ")");
  if (descriptionOf(*local) != descriptionOf(*isolated))
    return Outcome::fail("describe() differs isolated: " + descriptionOf(*isolated).substr(0, 300) +
                         " against " + descriptionOf(*local).substr(0, 300));
  // What the host can ask of it beyond the table: warming (the extension, or a 1.1 plugin's
  // slot, which isolated is offered as the extension) and its display.
  auto joined = [](const wdh::LoadedPlugin& plugin) {
    std::vector<std::string> ids = plugin.extensions();
    if (plugin.table().warm != nullptr &&
        std::find(ids.begin(), ids.end(), WDHOST_EXTENSION_WARM) == ids.end())
      ids.insert(ids.begin(), WDHOST_EXTENSION_WARM);
    std::string out;
    for (const std::string& id : ids)
      out += (out.empty() ? "" : ", ") + id;
    return out.empty() ? std::string("none") : out;
  };
  if (local->hasCommand() != isolated->hasCommand())
    return Outcome::fail(std::string("its command hook is ") +
                         (isolated->hasCommand() ? "there" : "missing") + " isolated");
  if (joined(*local) != joined(*isolated))
    return Outcome::fail("its extensions isolated are " + joined(*isolated) + ", in process " +
                         joined(*local));

  const std::string name = local->description().browserName;
  std::string accepted;
  for (const std::string& asked :
       {capabilitiesFor(name), capabilitiesFor("wdhost-check-foreign")}) {
    bool matchedHere = false;
    bool matchedThere = false;
    std::string acceptedHere;
    std::string acceptedThere;
    wdh::Status here = local->negotiate(asked, &matchedHere, &acceptedHere);
    wdh::Status there = isolated->negotiate(asked, &matchedThere, &acceptedThere);
    if (here.code() != there.code() || matchedHere != matchedThere || acceptedHere != acceptedThere)
      return Outcome::fail("negotiate(" + asked + ") answers differently isolated: " +
                           (matchedThere ? acceptedThere : there.message()) + " against " +
                           (matchedHere ? acceptedHere : here.message()));
    if (accepted.empty() && matchedHere)
      accepted = acceptedHere;
  }
  if (context.skipLaunch || accepted.empty())
    return Outcome::pass("same identity, description and negotiation in wdhost-plugin-host");

  wdhost_session* session = nullptr;
  std::string reply;
  status = isolated->launch("check-isolated", accepted, &session, &reply);
  if (!status.isOk())
    return Outcome::fail("launch isolated: " + status.message());
  rapidjson::Document doc;
  bool wellFormed = wdh::parseJsonObject(reply, &doc).isOk() && doc.HasMember("capabilities") &&
                    doc["capabilities"].IsObject();
  status = isolated->teardown(session);
  if (!wellFormed)
    return Outcome::fail("launch isolated answered " + reply.substr(0, 300));
  if (!status.isOk())
    return Outcome::fail("teardown isolated: " + status.message());
  isolated.reset(); // the helper ends too
  local.reset();
  // Everything the session started is gone (bounded: a browser takes a moment to exit).
  for (int i = 0; i < 100 && host->trackedProcesses() > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  if (host->trackedProcesses() > 0)
    return Outcome::fail(std::to_string(host->trackedProcesses()) +
                         " processes still run 10 s after the isolated session's teardown");
  return Outcome::pass(
      "same identity, description and negotiation in wdhost-plugin-host; launched and torn down "
      "there");
}

} // namespace check
