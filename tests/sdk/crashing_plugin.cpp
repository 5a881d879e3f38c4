// Fixture: a plugin whose negotiate() dies with SIGSEGV; the checker must report it, not crash.
#include <csignal>
#include <wdhost/plugin.hpp>

namespace {

class Crashing : public wdhost::Plugin {
public:
  Crashing(wdhost::Host host, std::string_view) : wdhost::Plugin(host) {}
  std::string describe() override {
    return R"({"browserName":"crashing","platformName":"linux","browsers":[{"name":"crashing","version":"1.0","path":"/x"}]})";
  }
  std::optional<std::string> negotiate(std::string_view) override {
    std::raise(SIGSEGV);
    return std::nullopt;
  }
  std::unique_ptr<wdhost::Session> launch(std::string_view, std::string_view) override {
    return nullptr;
  }
};

} // namespace

WDHOST_DECLARE_PLUGIN(Crashing, "org.wdhost.test.crashing", "crashing", "1.0.0")
