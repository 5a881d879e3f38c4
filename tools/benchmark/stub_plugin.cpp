// Benchmark plugin: serves browserName "stub" with no browser; every session relays to the
// upstream URL given as --plugin-option stub.upstream=http://127.0.0.1:PORT/session/stub, so
// the host's own cost can be measured against a fast stub server.
#include <string>
#include <wdhost/plugin.hpp>

namespace {

// One stub session: its launch reply names the shared upstream; nothing to tear down.
class StubSession : public wdhost::Session {
public:
  explicit StubSession(const std::string& reply) : reply_(reply) {}
  std::string launchReply() const override { return reply_; }
  void teardown() override {}

private:
  const std::string& reply_;
};

// The "upstream" string of the plugin's flat config object.
std::string upstreamFrom(std::string_view config) {
  std::size_t key = config.find("\"upstream\"");
  std::size_t open = key == config.npos ? key : config.find('"', config.find(':', key));
  std::size_t close = open == config.npos ? open : config.find('"', open + 1);
  if (close == config.npos)
    throw wdhost::Error("invalid argument", "the stub plugin needs --plugin-option "
                                            "stub.upstream=http://127.0.0.1:PORT/session/stub");
  return std::string(config.substr(open + 1, close - open - 1));
}

// The plugin: immutable after construction, shared by every session.
class StubPlugin : public wdhost::Plugin {
public:
  StubPlugin(wdhost::Host host, std::string_view config)
      : wdhost::Plugin(host), reply_(R"({"capabilities":{"browserName":"stub"},"upstream":")" +
                                     upstreamFrom(config) + "\"}") {}
  std::string describe() override {
    return R"({"browserName":"stub","platformName":"linux","browsers":[{"name":"stub","version":"1.0.0","path":"in-process"}]})";
  }
  std::optional<std::string> negotiate(std::string_view capabilities) override {
    return std::string(capabilities);
  }
  std::unique_ptr<wdhost::Session> launch(std::string_view, std::string_view) override {
    return std::make_unique<StubSession>(reply_);
  }

private:
  const std::string reply_;
};

} // namespace

WDHOST_DECLARE_PLUGIN(StubPlugin, "org.wdhost.bench.stub", "stub", "1.0.0")
