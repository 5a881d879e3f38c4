// wdhost: a W3C WebDriver host serving browser backends loaded as plugins.
#include "app/host_app.h"
#include "app/options.h"
#include "core/version.h"

#include <iostream>
#include <wdhost/plugin.h>

int main(int argc, char* argv[]) {
  wdh::HostOptions options;
  std::string error;
  if (!wdh::parseOptions(argc, argv, &options, &error)) {
    std::cerr << "wdhost: " << error << "\nRun 'wdhost --help' for the options.\n";
    return 2;
  }
  wdh::hideTokens(argc, argv);
  if (options.showHelp) {
    std::cout << options.helpText;
    return 0;
  }
  if (options.showVersion) {
    std::cout << "wdhost " << wdh::kHostVersion << " (plugin ABI " << WDHOST_ABI_MAJOR << "."
              << WDHOST_ABI_MINOR << ")\n";
    return 0;
  }
  return wdh::runHost(options);
}
