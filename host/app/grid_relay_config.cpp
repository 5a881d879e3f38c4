#include "app/grid_relay_config.h"

#include "json/json.h"

namespace wdh {
namespace {

// A TOML basic string.
std::string quoteToml(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string stereotypeJson(const RelayStereotype& stereotype) {
  std::string json = "{\"browserName\":" + quoteJson(stereotype.browserName);
  if (!stereotype.platformName.empty())
    json += ",\"platformName\":" + quoteJson(stereotype.platformName);
  if (stereotype.downloads)
    json += ",\"se:downloadsEnabled\":true";
  return json + "}";
}

} // namespace

std::string relayUrl(const std::string& publicUrl, const std::string& host, unsigned port) {
  if (!publicUrl.empty())
    return publicUrl.back() == '/' ? publicUrl.substr(0, publicUrl.size() - 1) : publicUrl;
  if (port == 0)
    return "";
  std::string where = host;
  if (host == "0.0.0.0" || host.empty())
    where = "127.0.0.1";
  else if (host == "::")
    where = "[::1]";
  else if (host.find(':') != std::string::npos)
    where = "[" + host + "]";
  return "http://" + where + ":" + std::to_string(port);
}

std::string gridRelayConfig(const RelayTarget& target) {
  std::string out;
  out += "# Selenium Grid 4 node config for the wdhost at " + target.url + "\n";
  out += "# Run: java -jar selenium-server-<version>.jar node --config <this file> "
         "--hub http://<hub>:4444\n";
  out += "[node]\n";
  out += "detect-drivers = false\n";
  out += "# wdhost's own --max-sessions: Grid never sends more sessions than wdhost takes.\n";
  out += "max-sessions = " + std::to_string(target.maxSessions) + "\n";
  out += "override-max-sessions = true\n";
  out += "# Grid's idle timeout, also its read timeout for every relayed command.\n";
  out += "session-timeout = " + std::to_string(target.sessionTimeout) + "\n\n";
  out += "[relay]\n";
  out += "url = " + quoteToml(target.url) + "\n";
  out += "# wdhost answers 200 while it takes sessions and 503 while draining.\n";
  out += "status-endpoint = \"/status\"\n";
  out += "configs = [";
  bool first = true;
  for (const RelayStereotype& stereotype : target.stereotypes) {
    out += first ? "\n" : ",\n";
    first = false;
    out += "  " + quoteToml(std::to_string(stereotype.slots)) + ", " +
           quoteToml(stereotypeJson(stereotype));
  }
  out += "\n]\n";
  return out;
}

} // namespace wdh
