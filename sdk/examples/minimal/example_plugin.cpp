// A complete wdhost plugin with no browser: it serves browserName "example" in-process through
// the command hook, each session a pretend page with a URL and a title. Copy it, then make
// launchWithin() start a real browser (see services.hpp for processes, temp dirs and HTTP, and
// driver_session.hpp for a vendor driver).
#include <atomic>
#include <string>
#include <time.h>
#include <wdhost/plugin.hpp>

namespace {

// One session. The host calls command() and teardown() for it one at a time.
class ExampleSession : public wdhost::Session {
public:
  std::string launchReply() const override {
    // No "upstream": the host sends every command of this session to command() below.
    return R"({"capabilities":{"browserName":"example","browserVersion":"1.0.0","platformName":"linux"}})";
  }

  std::string command(std::string_view method, std::string_view path,
                      std::string_view body) override {
    if (method == "POST" && path == "/url") {
      url_ = stringMember(body, "url"); // {"url":"https://..."}
      return "null";
    }
    if (method == "GET" && path == "/url")
      return "\"" + url_ + "\"";
    if (method == "GET" && path == "/title")
      return url_ == "about:blank" ? "\"\"" : "\"Example of " + url_ + "\"";
    return Session::command(method, path, body); // "unknown command"
  }

  void teardown() override {} // nothing to stop; a real plugin ends its browser here

private:
  // The string value of "key" in a flat JSON object; a real plugin would use a JSON library.
  static std::string stringMember(std::string_view json, std::string_view key) {
    std::size_t at = json.find("\"" + std::string(key) + "\"");
    std::size_t open = json.find('"', json.find(':', at));
    std::size_t close = json.find('"', open + 1);
    if (at == json.npos || open == json.npos || close == json.npos)
      throw wdhost::Error(WDHOST_W3C_INVALID_ARGUMENT,
                          "the body has no \"" + std::string(key) + "\" string");
    std::string value(json.substr(open + 1, close - open - 1));
    if (value.find('\\') != value.npos)
      throw wdhost::Error(WDHOST_W3C_INVALID_ARGUMENT, "escaped characters are not supported");
    return value;
  }

  std::string url_ = "about:blank";
};

// The plugin: created once by the host, shared by every session (so keep it immutable, or,
// like warmed_ below, thread-safe).
class ExamplePlugin : public wdhost::Plugin {
public:
  ExamplePlugin(wdhost::Host host, std::string_view /*config JSON*/) : wdhost::Plugin(host) {}

  std::string describe() override {
    return R"({"browserName":"example","platformName":"linux","browsers":[{"name":"example","version":"1.0.0","path":"in-process"}]})";
  }

  // The host already matched browserName/platformName/browserVersion against describe().
  std::optional<std::string> negotiate(std::string_view capabilities) override {
    return std::string(capabilities);
  }

  // Starts a session within `deadline`: the host's --launch-timeout, told through the call
  // context (ABI 1.3). Bound every wait by it and stop when it expires (it also expires when
  // the host gives up on the launch), answering what you were waiting for: that precise error
  // is what the client then reads. Here a pretend browser takes "example:startMs" to start.
  std::unique_ptr<wdhost::Session> launchWithin(std::string_view /*sessionId*/,
                                                std::string_view capabilities,
                                                const wdhost::Deadline& deadline) override {
    uint32_t startMs = pretendStartMs(capabilities);
    wdhost::Deadline started = deadline.within(startMs);
    while (!started.expired()) {
      struct timespec slice = {0, static_cast<long>(started.clamp(20)) * 1000 * 1000};
      nanosleep(&slice, nullptr);
    }
    if (deadline.expired()) // not our own start time: the host's deadline, or it gave up
      throw wdhost::Error(WDHOST_W3C_SESSION_NOT_CREATED, "the example browser was not up after " +
                                                              std::to_string(startMs) +
                                                              " ms: " + deadline.why());
    return std::make_unique<ExampleSession>();
  }

  // Keeps `count` browsers started ahead. Overriding warm() is all it takes: the SDK then
  // answers the host's get_extension("wdhost.warm/1") with a table that calls it. (Features
  // of your own go in extension(), under a versioned id of your own: "org.example.x/1".)
  void warm(uint32_t count) override { warmed_ = count; }

private:
  // "example:startMs": N in the capabilities, else 0.
  static uint32_t pretendStartMs(std::string_view capabilities) {
    std::size_t at = capabilities.find("\"example:startMs\"");
    if (at == capabilities.npos)
      return 0;
    std::size_t digit = capabilities.find_first_of("0123456789", at + 17);
    uint32_t ms = 0;
    for (; digit < capabilities.size() && capabilities[digit] >= '0' &&
           capabilities[digit] <= '9' && ms < 600000;
         ++digit)
      ms = ms * 10 + static_cast<uint32_t>(capabilities[digit] - '0');
    return ms;
  }

  std::atomic<uint32_t> warmed_{0}; // a real plugin would start that many browsers ahead
};

} // namespace

WDHOST_DECLARE_PLUGIN(ExamplePlugin, "org.example.wdhost.example", "example", "1.0.0")
