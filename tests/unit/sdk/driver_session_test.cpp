// DriverSession against a stub host: the driver started and its session created within the
// launch's deadline; a deadline that passes or a cancellation ends the waits with an error that
// says so (and leaves nothing running); a pooled driver and its work dir become the session's;
// an older host without wdhost.http/2 still serves it.
#include "stub_host.h"

#include <atomic>
#include <doctest/doctest.h>
#include <thread>
#include <wdhost/driver_session.hpp>

namespace {

using wdhtest::StubHost;
using wdhtest::StubHttpAnswer;
using wdhtest::StubHttpCall;

constexpr const char* kMarker = "listening on port ";

// A driver that prints its port and answers /status, New Session and the user-agent script.
void scriptDriver(StubHost& host, bool ready = true) {
  host.nextOutput = std::string("driver 1.0 ") + kMarker + "4444\n";
  host.http = [ready](const StubHttpCall& call) -> StubHttpAnswer {
    if (call.url == "http://127.0.0.1:4444/status")
      return ready ? StubHttpAnswer{200, R"({"value":{"ready":true}})", ""}
                   : StubHttpAnswer{503, R"({"value":{"ready":false}})", ""};
    if (call.method == "POST" && call.url == "http://127.0.0.1:4444/session")
      return {200, R"({"value":{"sessionId":"abc","capabilities":{"browserName":"stub"}}})", ""};
    if (call.url == "http://127.0.0.1:4444/session/abc/execute/sync")
      return {200, R"({"value":"StubAgent/1"})", ""};
    return {404, "{}", ""};
  };
}

wdhost::DriverLaunch launchOf() {
  wdhost::DriverLaunch launch;
  launch.name = "stubdriver";
  launch.argv = {"/usr/bin/stubdriver"};
  launch.listeningMarker = kMarker;
  return launch;
}

// The error `make` throws, or "" when it throws none.
template <class Make>
std::string errorOf(Make make) {
  try {
    make();
  } catch (const wdhost::Error& e) {
    return e.code() + ": " + e.what();
  }
  return "";
}

std::atomic<int> gCancelled{0};
int32_t WDHOST_CALL cancelledFlag(const wdhost_call_context*) {
  return gCancelled.load();
}

} // namespace

TEST_CASE("driver session: started and created within the deadline, through wdhost.http/2") {
  StubHost host;
  scriptDriver(host);
  wdhost::Host view(host.table());
  wdhost::DriverSession session(view, "s-1", launchOf(), R"({"capabilities":{}})", true,
                                wdhost::Deadline::in(60000));
  CHECK(session.upstream() == "http://127.0.0.1:4444/session/abc");
  std::string reply = session.launchReply();
  CHECK(reply.find(R"("upstream":"http://127.0.0.1:4444/session/abc")") != std::string::npos);
  CHECK(reply.find(R"("userAgent":"StubAgent/1")") != std::string::npos);
  std::vector<StubHttpCall> calls;
  {
    std::lock_guard<std::mutex> lock(host.mutex);
    calls = host.calls;
  }
  REQUIRE(calls.size() == 3);
  for (const StubHttpCall& call : calls) {
    CHECK(call.http2);
    CHECK(call.timeoutMs <= 60000); // each wait within the launch's deadline
  }
  CHECK(calls[1].headers == std::vector<std::pair<std::string, std::string>>{
                                {"Content-Type", "application/json; charset=utf-8"}});
  auto processes = host.snapshot();
  REQUIRE(processes.size() == 1);
  CHECK(processes.begin()->second.owner == "s-1");
  session.teardown();
  CHECK(host.snapshot().begin()->second.terminated);
}

TEST_CASE("driver session: a deadline already passed starts nothing and says so") {
  StubHost host;
  scriptDriver(host);
  wdhost::Host view(host.table());
  std::string error = errorOf([&] {
    wdhost::DriverSession session(view, "s-2", launchOf(), "{}", true, wdhost::Deadline::in(0));
  });
  CHECK(error.rfind("session not created: stubdriver was not started", 0) == 0);
  CHECK(error.find("deadline") != std::string::npos);
  CHECK(host.snapshot().empty());
}

TEST_CASE("driver session: a driver never ready fails at the launch's deadline, naming it") {
  StubHost host;
  scriptDriver(host, false);
  wdhost::Host view(host.table());
  wdhost::DriverLaunch launch = launchOf();
  launch.startupTimeoutMs = 600000; // its own bound is far; the launch's comes first
  std::string error = errorOf([&] {
    wdhost::DriverSession session(view, "s-3", launch, "{}", true, wdhost::Deadline::in(150));
  });
  CHECK(error.find("stubdriver was not ready before the host's deadline for it passed (the "
                   "launch's deadline, --launch-timeout)") != std::string::npos);
  CHECK(error.find("/status answered 503") != std::string::npos);
  auto processes = host.snapshot();
  REQUIRE(processes.size() == 1);
  CHECK(processes.begin()->second.terminated); // nothing left running

  // Its own startup bound, when that comes first, is named instead.
  launch.startupTimeoutMs = 100;
  error = errorOf([&] {
    wdhost::DriverSession session(view, "s-4", launch, "{}", true, wdhost::Deadline::in(600000));
  });
  CHECK(error.find("was not ready within 100 ms") != std::string::npos);
}

TEST_CASE("driver session: the host's cancellation ends the waits") {
  StubHost host;
  scriptDriver(host, false);
  wdhost::Host view(host.table());
  wdhost_call_context context{};
  context.struct_size = sizeof context;
  context.is_cancelled = &cancelledFlag;
  gCancelled = 0;
  std::thread canceller([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    gCancelled = 1;
  });
  std::string error = errorOf([&] {
    wdhost::DriverSession session(view, "s-5", launchOf(), "{}", true,
                                  wdhost::Deadline::of(&context));
  });
  canceller.join();
  CHECK(error.find("the host cancelled the call") != std::string::npos);
  CHECK(host.snapshot().begin()->second.terminated);
}

TEST_CASE("driver session: a driver started ahead, and its work dir, become the session's") {
  StubHost host;
  scriptDriver(host);
  wdhost::Host view(host.table());
  wdhost::StartedDriver started = wdhost::startDriver(view, launchOf(), "");
  started.workDir = std::make_unique<wdhost::TempDir>(view, "", "pool");
  std::string dir = started.workDir->path();
  {
    std::lock_guard<std::mutex> lock(host.mutex);
    CHECK(host.dirOwners.at(dir).empty());
  }
  wdhost::DriverSession session(view, "s-6", launchOf(), "{}", wdhost::UserAgentLookup{},
                                std::move(started), wdhost::Deadline::in(60000));
  {
    std::lock_guard<std::mutex> lock(host.mutex);
    CHECK(host.dirOwners.at(dir) == "s-6");
    CHECK(host.processes.begin()->second.owner == "s-6");
  }
  session.teardown();
}

TEST_CASE("driver session: on a host without wdhost.http/2, wdhost.http/1 serves it") {
  StubHost host;
  host.offerHttp2 = false;
  scriptDriver(host);
  wdhost::Host view(host.table());
  wdhost::DriverSession session(view, "s-7", launchOf(), "{}", false, wdhost::Deadline::in(60000));
  CHECK(session.upstream() == "http://127.0.0.1:4444/session/abc");
  std::lock_guard<std::mutex> lock(host.mutex);
  for (const StubHttpCall& call : host.calls)
    CHECK_FALSE(call.http2);
}

TEST_CASE("sdk helpers: runForOutput waits for the exit, not for a needle") {
  StubHost host;
  host.nextOutput = "tool 2.5.1\n";
  wdhost::Host view(host.table());
  std::thread exiter([&host] {
    for (int i = 0; i < 1000 && host.snapshot().empty(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    host.exit(1, 0);
  });
  CHECK(wdhost::versionOf(view, "/usr/bin/tool", 10000) == "2.5.1");
  exiter.join();
  std::lock_guard<std::mutex> lock(host.mutex);
  CHECK(host.waitExits == 1);
}
