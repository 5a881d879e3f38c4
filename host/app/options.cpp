#include "app/options.h"

#include "core/log.h"

#include "json/json.h"
#include <boost/program_options.hpp>
#include <fstream>
#include <sstream>

namespace po = boost::program_options;

namespace wdh {
namespace {

// Parses "NAME.KEY=VALUE" into the per-plugin config objects.
bool addPluginOption(const std::string& text, std::map<std::string, std::vector<std::string>>* out,
                     std::string* error) {
  std::size_t dot = text.find('.');
  std::size_t equals = text.find('=');
  if (dot == std::string::npos || equals == std::string::npos || dot == 0 || equals < dot + 2) {
    *error = "--plugin-option '" + text +
             "' must look like NAME.KEY=VALUE, e.g. "
             "chrome.driver=/usr/bin/chromedriver";
    return false;
  }
  std::string name = text.substr(0, dot);
  std::string key = text.substr(dot + 1, equals - dot - 1);
  std::string value = text.substr(equals + 1);
  (*out)[name].push_back(quoteJson(key) + ":" + quoteJson(value));
  return true;
}

} // namespace

bool parseOptions(int argc, const char* const argv[], HostOptions* out, std::string* error) {
  std::string configFile;
  std::vector<std::string> pluginOptions;
  unsigned port = out->port;
  po::options_description general("wdhost options");
  general.add_options()("host", po::value(&out->host)->default_value(out->host),
                        "address to listen on (loopback unless you mean to expose the host)")(
      "port", po::value(&port)->default_value(port), "port to listen on; 0 picks a free one")(
      "plugin-dir", po::value(&out->pluginDirs)->composing(),
      "directory to load plugins from (repeatable); default: lib/wdhost/plugins next to the "
      "binary")(
      "plugin", po::value(&out->plugins)->composing(),
      "plugin to load, by name (repeatable; also the matching order); default: all found")(
      "plugin-option", po::value(&pluginOptions)->composing(),
      "NAME.KEY=VALUE setting passed to a plugin, e.g. chrome.driver=/usr/bin/chromedriver")(
      "show-windows", po::bool_switch(&out->showWindows),
      "run browsers with visible windows instead of headless")(
      "log-level", po::value(&out->logLevel)->default_value(out->logLevel),
      "trace, debug, info, warn, error or off")(
      "max-body-size", po::value(&out->maxBodySize)->default_value(out->maxBodySize),
      "largest request body accepted, in bytes")(
      "max-threads", po::value(&out->maxThreads)->default_value(out->maxThreads),
      "HTTP worker threads (concurrent connections)")("config", po::value(&configFile),
                                                      "read options from FILE (key = value lines)")(
      "list-plugins", po::bool_switch(&out->listPlugins),
      "list the plugins found, the browsers they found, and why any was skipped; then exit")(
      "version", po::bool_switch(&out->showVersion), "print the version and exit")(
      "help", po::bool_switch(&out->showHelp), "print this help and exit");

  try {
    po::variables_map vm;
    po::store(po::command_line_parser(argc, argv).options(general).run(), vm);
    if (vm.count("config")) {
      std::string file = vm["config"].as<std::string>();
      std::ifstream in(file);
      if (!in) {
        *error = "cannot read the config file " + file;
        return false;
      }
      po::store(po::parse_config_file(in, general), vm);
    }
    po::notify(vm);
  } catch (const po::error& e) {
    *error = e.what();
    return false;
  }

  std::ostringstream help;
  help << "Usage: wdhost [options]\n\n" << general;
  out->helpText = help.str();

  if (port > 65535) {
    *error = "--port " + std::to_string(port) + " is out of range 0..65535";
    return false;
  }
  out->port = static_cast<std::uint16_t>(port);
  LogLevel level;
  if (!parseLogLevel(out->logLevel, &level)) {
    *error =
        "--log-level '" + out->logLevel + "' is not one of trace, debug, info, warn, error, off";
    return false;
  }
  if (out->maxThreads < 2 || out->maxThreads > 10000) {
    *error = "--max-threads must be between 2 and 10000";
    return false;
  }
  if (out->maxBodySize < 1024) {
    *error = "--max-body-size must be at least 1024 bytes";
    return false;
  }

  std::map<std::string, std::vector<std::string>> entries;
  for (const std::string& option : pluginOptions)
    if (!addPluginOption(option, &entries, error))
      return false;
  std::vector<std::string> names;
  for (const auto& [name, items] : entries)
    names.push_back(name);
  for (const std::string& name : out->plugins)
    names.push_back(name);
  std::string headless = std::string("\"headless\":") + (out->showWindows ? "false" : "true");
  out->defaultPluginConfig = "{" + headless + "}";
  for (const std::string& name : names) {
    std::string json = "{" + headless;
    for (const std::string& item : entries[name])
      json += "," + item;
    json += "}";
    out->pluginConfig[name] = json;
  }
  return true;
}

} // namespace wdh
