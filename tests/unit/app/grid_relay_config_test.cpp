// Tests of the Selenium Grid relay node config wdhost prints (--grid-relay-config).
#include "app/grid_relay_config.h"

#include <doctest/doctest.h>

using namespace wdh;

TEST_CASE("grid relay config: the relay URL is the public URL, else the bound address") {
  CHECK(relayUrl("https://node-3.example:443/", "0.0.0.0", 4444) == "https://node-3.example:443");
  CHECK(relayUrl("", "127.0.0.1", 4444) == "http://127.0.0.1:4444");
  // A wildcard bind is reached over loopback by the relay node beside the host.
  CHECK(relayUrl("", "0.0.0.0", 5555) == "http://127.0.0.1:5555");
  CHECK(relayUrl("", "::", 5555) == "http://[::1]:5555");
  CHECK(relayUrl("", "::1", 5555) == "http://[::1]:5555");
  // A port the OS picks cannot be written into a config file.
  CHECK(relayUrl("", "127.0.0.1", 0).empty());
}

TEST_CASE("grid relay config: one stereotype per browser, the node capped at the host's limit") {
  RelayTarget target;
  target.url = "http://127.0.0.1:4444";
  target.maxSessions = 3;
  target.sessionTimeout = 200;
  target.stereotypes = {{"chrome", "linux", true, 3}, {"safari", "linux", false, 1}};
  std::string toml = gridRelayConfig(target);
  CHECK(toml.find("[node]\ndetect-drivers = false\n") != std::string::npos);
  CHECK(toml.find("\nmax-sessions = 3\n") != std::string::npos);
  CHECK(toml.find("\noverride-max-sessions = true\n") != std::string::npos);
  CHECK(toml.find("\nsession-timeout = 200\n") != std::string::npos);
  CHECK(toml.find("[relay]\nurl = \"http://127.0.0.1:4444\"\n") != std::string::npos);
  CHECK(toml.find("\nstatus-endpoint = \"/status\"\n") != std::string::npos);
  CHECK(toml.find(R"("3", "{\"browserName\":\"chrome\",\"platformName\":\"linux\",)"
                  R"(\"se:downloadsEnabled\":true}")") != std::string::npos);
  CHECK(toml.find(R"("1", "{\"browserName\":\"safari\",\"platformName\":\"linux\"}")") !=
        std::string::npos);
}
