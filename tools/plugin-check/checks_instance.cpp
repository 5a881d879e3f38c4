// Checks of a plugin instance that start no browser: cost of loading, init/deinit cycles,
// negotiation, the error contract, concurrent negotiation, and unloading.
#include "check_support.h"
#include "proc_stats.h"

#include "json/json.h"
#include <atomic>
#include <chrono>
#include <thread>

namespace check {
namespace {

using std::chrono::milliseconds;
constexpr double kCheapMs = 100;

std::string ms(double value) {
  return std::to_string(static_cast<long>(value)) + " ms";
}

// Host-level verdict on negotiate(): "" when refused as the host would refuse it.
bool refused(const std::string& caps, const Loaded& loaded, const Call& call) {
  return !hostMatches(caps, loaded.description) || call.rc == WDHOST_NO_MATCH;
}

bool acceptedObject(const Call& call) {
  rapidjson::Document doc;
  return call.rc == WDHOST_OK && wdh::parseJsonObject(call.reply.json, &doc).isOk();
}

} // namespace

Outcome checkLoadCheap(const Context& context) {
  std::string error;
  auto host = WatchedHost::create(context.guardPath, &error);
  if (!host)
    return Outcome::fail(error);
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<Library> library = Library::open(context.path, &error);
  wdhost_plugin_vtable table{};
  uint32_t agreed = 0;
  if (!library || !library->table(&table, &agreed, &error))
    return Outcome::fail(error);
  double loadMs = msSince(start);
  if (loadMs > kCheapMs)
    return Outcome::fail("loading and the handshake took " + ms(loadMs));
  if (spawnCounters().spawned > 0)
    return Outcome::fail("loading started a process");
  std::unique_ptr<Instance> instance = Instance::create(*library, *host, context.config, &error);
  if (!instance)
    return Outcome::fail(error);
  std::string left = leftBehind(*host, milliseconds(2000));
  if (!left.empty())
    return Outcome::fail("init() left something running: " + left);
  int spawnedByInit = spawnCounters().spawned;
  Call described = instance->describe();
  if (described.rc != WDHOST_OK)
    return Outcome::fail("describe failed: " + described.reply.error + ": " +
                         described.reply.message);
  wdh::PluginDescription description;
  if (!parseDescription(described.reply.json, &description, &error))
    return Outcome::fail("describe: " + error);
  if (spawnCounters().spawned != spawnedByInit)
    return Outcome::fail("describe() started a process; describe must only report what init found");
  if (described.ms > kCheapMs)
    return Outcome::fail("describe took " + ms(described.ms));
  std::string breaches = firstBreaches(*instance);
  if (!breaches.empty())
    return Outcome::fail(breaches);
  return Outcome::pass("load " + ms(loadMs) + ", init " + ms(instance->initMs()) + " (" +
                       std::to_string(spawnedByInit) + " short-lived process(es)), describe " +
                       ms(described.ms));
}

Outcome checkInitDeinit(const Context& context) {
  std::string error;
  auto host = WatchedHost::create(context.guardPath, &error);
  if (!host)
    return Outcome::fail(error);
  std::unique_ptr<Library> library = Library::open(context.path, &error);
  if (!library)
    return Outcome::fail(error);
  auto cycle = [&]() -> bool {
    std::unique_ptr<Instance> instance = Instance::create(*library, *host, context.config, &error);
    if (!instance)
      return false;
    Call described = instance->describe();
    if (described.rc != WDHOST_OK) {
      error = "describe failed: " + described.reply.message;
      return false;
    }
    error = firstBreaches(*instance);
    return error.empty();
  };
  if (!cycle()) // warms up whatever the plugin initialises once per process
    return Outcome::fail(error);
  std::size_t fds = openFdCount();
  std::size_t threads = threadCount();
  constexpr int kCycles = 5;
  for (int i = 0; i < kCycles; ++i)
    if (!cycle())
      return Outcome::fail("cycle " + std::to_string(i + 2) + ": " + error);
  std::size_t fdsAfter = settleTo(openFdCount, fds, milliseconds(1000));
  std::size_t threadsAfter = settleTo(threadCount, threads, milliseconds(1000));
  if (fdsAfter > fds)
    return Outcome::fail(std::to_string(fdsAfter - fds) + " file descriptor(s) leaked over " +
                         std::to_string(kCycles) + " init/deinit cycles");
  if (threadsAfter > threads)
    return Outcome::fail(std::to_string(threadsAfter - threads) + " thread(s) left running over " +
                         std::to_string(kCycles) + " init/deinit cycles");
  std::string left = leftBehind(*host, milliseconds(2000));
  if (!left.empty())
    return Outcome::fail(left);
  return Outcome::pass();
}

Outcome checkNegotiate(const Context& context) {
  std::string error;
  std::unique_ptr<Loaded> loaded = loadAndDescribe(context, &error);
  if (!loaded)
    return Outcome::fail(error);
  Instance& instance = *loaded->instance;
  const std::string name = loaded->description.browserName;

  std::string matching = capabilitiesFor(name);
  Call call = instance.negotiate(matching);
  if (!hostMatches(matching, loaded->description))
    return Outcome::fail("the host's matching refuses {browserName:" + name +
                         "} against describe()");
  if (!acceptedObject(call))
    return Outcome::fail("refused the matching request " + matching + " (status " +
                         std::to_string(call.rc) + ": " + call.reply.error + " " +
                         call.reply.message + ")");

  std::string foreign = capabilitiesFor("wdhost-check-foreign-browser");
  call = instance.negotiate(foreign);
  if (!refused(foreign, *loaded, call))
    return Outcome::fail("accepted a request for another browser: " + foreign);

  for (const std::string& malformed : {std::string("{\"browserName\":"), std::string("not json")}) {
    call = instance.negotiate(malformed);
    if (call.rc == WDHOST_NO_MATCH)
      return Outcome::fail("answered NO_MATCH to malformed JSON '" + malformed +
                           "'; it must be an error");
    if (call.rc == WDHOST_OK && acceptedObject(call))
      return Outcome::fail("accepted malformed JSON '" + malformed + "'");
  }

  std::string vendor =
      capabilitiesFor(name, "\"wdhost-check:unknown\":{\"nested\":[1,2,{\"x\":null}]},"
                            "\"acme:option\":true");
  call = instance.negotiate(vendor);
  if (!acceptedObject(call))
    return Outcome::fail("refused unknown vendor keys: " + vendor + " (status " +
                         std::to_string(call.rc) + ": " + call.reply.message + ")");
  std::string breaches = firstBreaches(instance);
  if (!breaches.empty())
    return Outcome::fail(breaches);
  return Outcome::pass();
}

Outcome checkErrorContract(const Context& context) {
  std::string error;
  std::unique_ptr<Loaded> loaded = loadAndDescribe(context, &error);
  if (!loaded)
    return Outcome::fail(error);
  Instance& instance = *loaded->instance;
  const std::string name = loaded->description.browserName;
  const std::vector<std::string> inputs = {
      capabilitiesFor(name),
      capabilitiesFor("wdhost-check-foreign-browser"),
      "{",
      "",
      "[]",
      "null",
      "{\"browserName\":42}",
      capabilitiesFor(name, "\"platformName\":7"),
      capabilitiesFor(name, "\"browserVersion\":\"0.0.0.1\""),
      capabilitiesFor(name, "\"goog:chromeOptions\":\"not an object\""),
      capabilitiesFor(name, "\"moz:firefoxOptions\":1"),
      capabilitiesFor(name, "\"webkit:WebKitGTKOptions\":[]"),
      capabilitiesFor(name, "\"acme:deep\":" + std::string(200, '[') + std::string(200, ']')),
      capabilitiesFor(name, "\"timeouts\":{\"script\":-1}"),
  };
  for (const std::string& input : inputs)
    instance.negotiate(input);
  instance.describe();
  // init() with a config that is not JSON, and with unknown settings.
  for (const std::string& config : {std::string("{"), std::string("{\"wdhost-check\":1}")}) {
    std::string why;
    std::unique_ptr<Instance> other =
        Instance::create(*loaded->library, *loaded->host, config, &why);
    if (!other && why.rfind("init failed:", 0) != 0)
      return Outcome::fail("with config '" + config + "': " + why);
  }
  std::string breaches = firstBreaches(instance);
  if (!breaches.empty())
    return Outcome::fail(breaches);
  return Outcome::pass();
}

Outcome checkConcurrentNegotiate(const Context& context) {
  std::string error;
  std::unique_ptr<Loaded> loaded = loadAndDescribe(context, &error);
  if (!loaded)
    return Outcome::fail(error);
  Instance& instance = *loaded->instance;
  const std::string name = loaded->description.browserName;
  const std::vector<std::string> inputs = {capabilitiesFor(name),
                                           capabilitiesFor("wdhost-check-foreign-browser"),
                                           capabilitiesFor(name, "\"acme:option\":true"), "{"};
  std::vector<wdhost_status> expected;
  for (const std::string& input : inputs)
    expected.push_back(instance.negotiate(input).rc);
  constexpr int kThreads = 8;
  constexpr int kRounds = 25;
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t]() noexcept {
      for (int round = 0; round < kRounds; ++round) {
        std::size_t which = static_cast<std::size_t>(t + round) % inputs.size();
        if (instance.negotiate(inputs[which]).rc != expected[which])
          ++mismatches;
      }
    });
  }
  for (std::thread& thread : threads)
    thread.join();
  if (mismatches > 0)
    return Outcome::fail(std::to_string(mismatches.load()) + " of " +
                         std::to_string(kThreads * kRounds) +
                         " concurrent negotiate calls answered differently than alone");
  std::string breaches = firstBreaches(instance);
  if (!breaches.empty())
    return Outcome::fail(breaches);
  return Outcome::pass();
}

Outcome checkUnload(const Context& context) {
  std::string error;
  auto host = WatchedHost::create(context.guardPath, &error);
  if (!host)
    return Outcome::fail(error);
  std::size_t fds = openFdCount();
  std::size_t threads = threadCount();
  {
    std::unique_ptr<Library> library = Library::open(context.path, &error);
    if (!library)
      return Outcome::fail(error);
    {
      std::unique_ptr<Instance> instance =
          Instance::create(*library, *host, context.config, &error);
      if (!instance)
        return Outcome::fail(error);
      Call described = instance->describe();
      wdh::PluginDescription description;
      if (described.rc != WDHOST_OK ||
          !parseDescription(described.reply.json, &description, &error))
        return Outcome::fail("describe failed: " + described.reply.message + error);
      instance->negotiate(capabilitiesFor(description.browserName));
    }
    library->unload();
  }
  std::size_t threadsAfter = settleTo(threadCount, threads, milliseconds(2000));
  std::size_t fdsAfter = settleTo(openFdCount, fds, milliseconds(2000));
  if (threadsAfter > threads)
    return Outcome::fail(std::to_string(threadsAfter - threads) +
                         " thread(s) still running after deinit and unload");
  if (fdsAfter > fds)
    return Outcome::fail(std::to_string(fdsAfter - fds) +
                         " file descriptor(s) still open after deinit and unload");
  std::string left = leftBehind(*host, milliseconds(2000));
  if (!left.empty())
    return Outcome::fail(left);
  return Outcome::pass();
}

} // namespace check
