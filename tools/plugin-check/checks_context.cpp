// Checks of what ABI 1.3 added to a plugin: the extensions it answers to, and that its launch
// honours the host's call context (a deadline that passed, a cancellation).
#include "check_support.h"
#include "core/uuid.h"

#include <cstring>
#include <thread>

namespace check {
namespace {

using std::chrono::milliseconds;
constexpr milliseconds kSettle(10000);
// How long a launch may go on after its deadline passed or it was cancelled: the reserve the
// host keeps (2 s), with room for a loaded machine.
constexpr double kHonourMs = 10000;

// The extensions the host knows: each id, and the smallest table its first version has.
struct KnownExtension {
  const char* id;
  std::size_t minimumSize;
};
constexpr KnownExtension kKnown[] = {
    {WDHOST_EXTENSION_WARM, offsetof(wdhost_warm_extension, warm) + sizeof(void*)},
    {WDHOST_EXTENSION_DISPLAY, offsetof(wdhost_display_extension, display) + sizeof(void*)},
};

// One launch with `context`; "" when it honoured it (returned within kHonourMs with a proper
// answer, leaving nothing behind), else what went wrong. `what` names the situation.
std::string launchHonours(Loaded& loaded, const std::string& caps, wdh::CallContext& context,
                          const char* what, milliseconds cancelAfter, std::string* note) {
  Instance& instance = *loaded.instance;
  wdhost_session* session = nullptr;
  std::thread canceller;
  if (cancelAfter.count() > 0)
    canceller = std::thread([&context, cancelAfter] {
      std::this_thread::sleep_for(cancelAfter);
      context.cancel();
    });
  Call call = instance.launch(wdh::randomUuid(), caps, &session, &context);
  if (canceller.joinable())
    canceller.join();
  std::string problem;
  if (call.ms > kHonourMs + static_cast<double>(cancelAfter.count()))
    problem = std::string("launch ") + what + " returned only after " +
              std::to_string(static_cast<long>(call.ms)) + " ms";
  if (call.rc == WDHOST_OK) {
    *note += std::string(*note == "" ? "" : "; ") + what + ": launched at once";
    if (session != nullptr)
      instance.teardown(session);
  } else if (problem.empty() && call.reply.error != "session not created") {
    problem = std::string("launch ") + what + " answered '" + call.reply.error +
              "' instead of 'session not created'";
  } else if (problem.empty()) {
    *note += std::string(*note == "" ? "" : "; ") + what + ": " + call.reply.message.substr(0, 120);
  }
  std::string left = leftBehind(*loaded.host, kSettle);
  if (problem.empty() && !left.empty())
    problem = std::string("launch ") + what + " left " + left;
  return problem;
}

} // namespace

Outcome checkExtensions(const Context& context) {
  std::string error;
  std::unique_ptr<Loaded> loaded = loadAndDescribe(context, &error);
  if (!loaded)
    return Outcome::fail(error);
  Instance& instance = *loaded->instance;
  if (!instance.hasGetExtension())
    return Outcome::pass(std::string("no get_extension (a plugin built for ABI 1.0-1.2); its "
                                     "1.1 warm slot is ") +
                         (instance.vtable().warm != nullptr ? "set" : "not set"));
  if (instance.extension("wdhost.no-such-extension/1") != nullptr)
    return Outcome::fail("get_extension answered an id nobody defines");
  std::string answered;
  for (const KnownExtension& known : kKnown) {
    const void* table = instance.extension(known.id);
    if (table == nullptr)
      continue;
    uint32_t size = 0;
    std::memcpy(&size, table, sizeof size);
    if (size < known.minimumSize)
      return Outcome::fail(std::string(known.id) + " table is " + std::to_string(size) +
                           " bytes, smaller than its first version's " +
                           std::to_string(known.minimumSize));
    if (std::strcmp(known.id, WDHOST_EXTENSION_WARM) == 0) {
      auto warm = static_cast<const wdhost_warm_extension*>(table);
      if (warm->warm == nullptr)
        return Outcome::fail(std::string(known.id) + " has no warm function");
      if (instance.extension(known.id) != table)
        return Outcome::fail(std::string(known.id) + " moved between two lookups");
    }
    if (std::strcmp(known.id, WDHOST_EXTENSION_DISPLAY) == 0) {
      auto display = static_cast<const wdhost_display_extension*>(table);
      if (display->display == nullptr)
        return Outcome::fail(std::string(known.id) + " has no display function");
      if (instance.extension(known.id) != table)
        return Outcome::fail(std::string(known.id) + " moved between two lookups");
    }
    answered += (answered.empty() ? "" : ", ") + std::string(known.id);
  }
  return Outcome::pass(answered.empty() ? "none of the extensions the host knows" : answered);
}

Outcome checkCallContext(const Context& context) {
  std::string error;
  std::unique_ptr<Loaded> loaded = loadAndDescribe(context, &error);
  if (!loaded)
    return Outcome::fail(error);
  if (!loaded->instance->takesContext())
    return Outcome::skip("the plugin has no launch_ctx (built for ABI 1.0-1.2): it gets no "
                         "deadline and cannot be cancelled");
  Call negotiated = loaded->instance->negotiate(capabilitiesFor(loaded->description.browserName));
  if (negotiated.rc != WDHOST_OK)
    return Outcome::fail("negotiate refused the plugin's own browserName: " +
                         negotiated.reply.message);
  const std::string caps = negotiated.reply.json;
  std::string note;
  // A deadline that has already passed (1 ms, then a moment): nothing should start.
  wdh::CallContext passed(milliseconds(1));
  std::this_thread::sleep_for(milliseconds(5));
  std::string problem =
      launchHonours(*loaded, caps, passed, "past its deadline", milliseconds(0), &note);
  if (!problem.empty())
    return Outcome::fail(problem);
  // Cancelled while it starts its browser: it should stop and clean up.
  if (!context.skipLaunch) {
    wdh::CallContext cancelled(milliseconds(600000));
    problem =
        launchHonours(*loaded, caps, cancelled, "cancelled after 300 ms", milliseconds(300), &note);
    if (!problem.empty())
      return Outcome::fail(problem);
  }
  std::string breaches = firstBreaches(*loaded->instance);
  if (!breaches.empty())
    return Outcome::fail(breaches);
  return Outcome::pass(note);
}

} // namespace check
