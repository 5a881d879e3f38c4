// Checks that launch sessions: a full launch and teardown, launches made to fail, and two
// launches at once. Nothing may be left running afterwards.
#include "check_support.h"
#include "core/uuid.h"
#include "http/http_client.h"

#include "json/json.h"
#include <thread>

namespace check {
namespace {

using std::chrono::milliseconds;
constexpr milliseconds kSettle(10000);

// Negotiates the plugin's own browserName; the accepted capabilities, or "" with *error.
std::string negotiated(Loaded& loaded, std::string* error) {
  Call call = loaded.instance->negotiate(capabilitiesFor(loaded.description.browserName));
  if (call.rc != WDHOST_OK) {
    *error = "negotiate refused the plugin's own browserName: " + call.reply.message;
    return "";
  }
  return call.reply.json;
}

// One session: launch, one command (through upstream or the command hook), teardown.
// "" on success, else what went wrong.
std::string runSession(Loaded& loaded, const std::string& caps) {
  Instance& instance = *loaded.instance;
  wdhost_session* session = nullptr;
  Call launched = instance.launch(wdh::randomUuid(), caps, &session);
  if (launched.rc != WDHOST_OK)
    return "launch failed: " + launched.reply.error + ": " + launched.reply.message;
  if (session == nullptr)
    return "launch returned OK without a session";
  std::string problem;
  rapidjson::Document reply;
  if (!wdh::parseJsonObject(launched.reply.json, &reply).isOk())
    problem = "the launch reply is not a JSON object";
  auto capsMember = reply.IsObject() ? reply.FindMember("capabilities") : reply.MemberEnd();
  if (problem.empty() && (capsMember == reply.MemberEnd() || !capsMember->value.IsObject()))
    problem = "the launch reply has no capabilities object";
  auto upstream = reply.IsObject() ? reply.FindMember("upstream") : reply.MemberEnd();
  if (problem.empty() && upstream != reply.MemberEnd()) {
    std::string url = upstream->value.IsString() ? upstream->value.GetString() : "";
    wdh::HttpCallResult answer;
    if (url.rfind("http://", 0) != 0)
      problem = "upstream '" + url + "' is not an http:// URL";
    else if (!wdh::httpCall("GET", url + "/url", "", milliseconds(10000), &answer).isOk() ||
             answer.status != 200)
      problem = "GET " + url + "/url did not answer 200 (" + std::to_string(answer.status) + ")";
  } else if (problem.empty()) {
    if (!instance.hasCommand())
      problem = "the launch reply has no upstream and the plugin has no command hook";
    else
      instance.command(session, "GET", "/url", "");
  }
  Call torn = instance.teardown(session);
  if (problem.empty() && torn.rc != WDHOST_OK)
    problem = "teardown failed: " + torn.reply.message;
  return problem;
}

} // namespace

Outcome checkLaunchTeardown(const Context& context) {
  if (context.skipLaunch)
    return Outcome::skip("--skip-launch");
  std::string error;
  std::unique_ptr<Loaded> loaded = loadAndDescribe(context, &error);
  if (!loaded)
    return Outcome::fail(error);
  std::string caps = negotiated(*loaded, &error);
  if (caps.empty())
    return Outcome::fail(error);
  std::string problem = runSession(*loaded, caps);
  if (!problem.empty())
    return Outcome::fail(problem);
  std::string left = leftBehind(*loaded->host, kSettle);
  if (!left.empty())
    return Outcome::fail("after teardown: " + left);
  std::string breaches = firstBreaches(*loaded->instance);
  if (!breaches.empty())
    return Outcome::fail(breaches);
  return Outcome::pass(std::to_string(spawnCounters().spawned.load()) + " process(es) started");
}

Outcome checkFailedLaunch(const Context& context) {
  std::string error;
  std::unique_ptr<Loaded> loaded = loadAndDescribe(context, &error);
  if (!loaded)
    return Outcome::fail(error);
  std::string caps = negotiated(*loaded, &error);
  if (caps.empty())
    return Outcome::fail(error);
  Instance& instance = *loaded->instance;
  int forced = 0;
  for (SpawnMode mode : {SpawnMode::Refuse, SpawnMode::ExitAtOnce}) {
    const char* how =
        mode == SpawnMode::Refuse ? "every spawn refused" : "its processes exiting at once";
    spawnCounters().mode = static_cast<int>(mode);
    int spawnedBefore = spawnCounters().spawned;
    auto sentinel = reinterpret_cast<wdhost_session*>(static_cast<uintptr_t>(0x5e55));
    wdhost_session* session = sentinel;
    Call launched = instance.launch(wdh::randomUuid(), caps, &session);
    spawnCounters().mode = static_cast<int>(SpawnMode::Real);
    if (launched.rc == WDHOST_OK) {
      if (session != nullptr && session != sentinel)
        instance.teardown(session);
      if (mode == SpawnMode::ExitAtOnce && spawnCounters().spawned > spawnedBefore)
        return Outcome::fail("launch returned OK although the process it started exited at once");
      continue; // the plugin starts no process: a launch cannot be made to fail from outside
    }
    ++forced;
    if (session != sentinel)
      return Outcome::fail(std::string("a failed launch (") + how + ") changed *out");
    if (launched.reply.error != "session not created")
      return Outcome::fail(std::string("a failed launch (") + how + ") answered '" +
                           launched.reply.error + "' instead of 'session not created'");
    std::string left = leftBehind(*loaded->host, kSettle);
    if (!left.empty())
      return Outcome::fail(std::string("a failed launch (") + how + ") left " + left);
  }
  std::string breaches = firstBreaches(instance);
  if (!breaches.empty())
    return Outcome::fail(breaches);
  return Outcome::pass(forced == 0 ? "launch starts no process; no failure could be forced"
                                   : std::to_string(forced) + " failure(s) forced");
}

Outcome checkConcurrentLaunch(const Context& context) {
  if (context.skipLaunch)
    return Outcome::skip("--skip-launch");
  std::string error;
  std::unique_ptr<Loaded> loaded = loadAndDescribe(context, &error);
  if (!loaded)
    return Outcome::fail(error);
  std::string caps = negotiated(*loaded, &error);
  if (caps.empty())
    return Outcome::fail(error);
  std::string problems[2];
  std::thread threads[2];
  for (int i = 0; i < 2; ++i)
    threads[i] = std::thread([&, i]() noexcept {
      try {
        problems[i] = runSession(*loaded, caps);
      } catch (...) {
        problems[i] = "the checker ran out of memory";
      }
    });
  for (std::thread& thread : threads)
    thread.join();
  for (const std::string& problem : problems)
    if (!problem.empty())
      return Outcome::fail("one of two concurrent sessions: " + problem);
  std::string left = leftBehind(*loaded->host, kSettle);
  if (!left.empty())
    return Outcome::fail("after both teardowns: " + left);
  std::string breaches = firstBreaches(*loaded->instance);
  if (!breaches.empty())
    return Outcome::fail(breaches);
  return Outcome::pass();
}

} // namespace check
