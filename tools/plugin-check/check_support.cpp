#include "check_support.h"

#include "proc_stats.h"
#include "webdriver/matching.h"

#include "json/json.h"

namespace check {

std::unique_ptr<Loaded> loadAndDescribe(const Context& context, std::string* error) {
  auto loaded = std::make_unique<Loaded>();
  loaded->host = WatchedHost::create(context.guardPath, error);
  if (!loaded->host)
    return nullptr;
  loaded->library = Library::open(context.path, error);
  if (!loaded->library)
    return nullptr;
  std::string why;
  loaded->instance = Instance::create(*loaded->library, *loaded->host, context.config, &why);
  if (!loaded->instance) {
    *error = why;
    return nullptr;
  }
  Call described = loaded->instance->describe();
  if (described.rc != WDHOST_OK) {
    *error = "describe failed: " + described.reply.error + ": " + described.reply.message;
    return nullptr;
  }
  if (!parseDescription(described.reply.json, &loaded->description, &why)) {
    *error = "describe: " + why;
    return nullptr;
  }
  std::string breaches = firstBreaches(*loaded->instance);
  if (!breaches.empty()) {
    *error = breaches;
    return nullptr;
  }
  return loaded;
}

bool parseDescription(const std::string& json, wdh::PluginDescription* out, std::string* error) {
  auto doc = std::make_shared<rapidjson::Document>();
  wdh::Status status = wdh::parseJsonObject(json, doc.get());
  if (!status.isOk()) {
    *error = "not a JSON object: " + status.message();
    return false;
  }
  // Stricter than the host, which reads what it can: every field it knows has its type.
  auto name = doc->FindMember("browserName");
  if (name == doc->MemberEnd() || !name->value.IsString() || name->value.GetStringLength() == 0) {
    *error = "no browserName string";
    return false;
  }
  auto platform = doc->FindMember("platformName");
  if (platform != doc->MemberEnd() && !platform->value.IsString()) {
    *error = "platformName is not a string";
    return false;
  }
  auto browsers = doc->FindMember("browsers");
  if (browsers != doc->MemberEnd()) {
    if (!browsers->value.IsArray()) {
      *error = "browsers is not an array";
      return false;
    }
    for (const auto& item : browsers->value.GetArray()) {
      if (!item.IsObject()) {
        *error = "an entry of browsers is not an object";
        return false;
      }
      for (const char* key : {"name", "version", "path"}) {
        auto it = item.FindMember(key);
        if (it != item.MemberEnd() && !it->value.IsString()) {
          *error = std::string("browsers[].") + key + " is not a string";
          return false;
        }
      }
    }
  }
  if (!wdh::readDescription(*doc, out, error))
    return false;
  out->document = std::move(doc);
  return true;
}

std::string capabilitiesFor(const std::string& browserName, const std::string& extra) {
  return "{\"browserName\":" + wdh::quoteJson(browserName) + (extra.empty() ? "" : ",") + extra +
         "}";
}

bool hostMatches(const std::string& capabilities, const wdh::PluginDescription& description) {
  rapidjson::Document doc;
  if (!wdh::parseJsonObject(capabilities, &doc).isOk())
    return false;
  return wdh::matchesPlugin(doc, description);
}

std::string leftBehind(const WatchedHost& host, std::chrono::milliseconds settle) {
  std::size_t tracked = settleTo([&] { return host.trackedProcesses(); }, 0, settle);
  std::size_t live = settleTo([] { return liveDescendants().size(); }, 0, settle);
  std::string problems;
  if (tracked > 0)
    problems += std::to_string(tracked) + " process(es) still held in the process service";
  if (live > 0)
    problems += std::string(problems.empty() ? "" : "; ") +
                "live descendants: " + describePids(liveDescendants());
  // A dir owned by a process (wdhost.tempdir set_owner) goes once that process is collected.
  if (std::size_t dirs = settleTo([&] { return host.tempDirsLeft(); }, 0, settle); dirs > 0)
    problems += std::string(problems.empty() ? "" : "; ") + std::to_string(dirs) +
                " temp dir(s) not removed";
  return problems;
}

std::string firstBreaches(const Instance& instance, std::size_t n) {
  std::string text;
  std::vector<std::string> breaches = instance.violations();
  for (std::size_t i = 0; i < breaches.size() && i < n; ++i)
    text += (text.empty() ? "" : "; ") + breaches[i];
  return text;
}

} // namespace check
