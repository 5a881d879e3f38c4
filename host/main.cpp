// wdhost: a W3C WebDriver host serving browser backends loaded as plugins.
#include "app/host_app.h"
#include "app/options.h"

#include <iostream>

int main(int argc, char* argv[]) {
  wdh::HostOptions options;
  std::string error;
  if (!wdh::parseOptions(argc, argv, &options, &error)) {
    std::cerr << "wdhost: " << error << "\nRun 'wdhost --help' for the options.\n";
    return 2;
  }
  if (options.showHelp) {
    std::cout << options.helpText;
    return 0;
  }
  if (options.showVersion) {
    std::cout << "wdhost 0.1.0 (plugin ABI " << 1 << "." << 0 << ")\n";
    return 0;
  }
  return wdh::runHost(options, argv[0]);
}
