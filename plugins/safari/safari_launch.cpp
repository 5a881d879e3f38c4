#include "safari_launch.h"

#include <wdhost/helpers.hpp>

namespace wdhost::safari {

std::vector<std::string> webkitDriverArgv(const std::string& driverPath) {
  return {driverPath, "--port={port}", "--host=127.0.0.1"};
}

std::vector<std::string> safaridriverArgv(const std::string& driverPath) {
  return {driverPath, "-p", "{port}"};
}

std::vector<std::string> webkitWorkSubdirs(const std::string& workDir) {
  return {workDir + "/cache", workDir + "/config", workDir + "/data", workDir + "/tmp"};
}

std::vector<std::string> webkitDriverEnv(const std::string& xDisplay, const std::string& workDir) {
  std::vector<std::string> env = {"NO_AT_BRIDGE=1", "XDG_CACHE_HOME=" + workDir + "/cache",
                                  "XDG_CONFIG_HOME=" + workDir + "/config",
                                  "XDG_DATA_HOME=" + workDir + "/data",
                                  "TMPDIR=" + workDir + "/tmp"};
  if (!xDisplay.empty()) {
    env.push_back("DISPLAY=" + xDisplay);
    env.emplace_back("GDK_BACKEND=x11");
  }
  return env;
}

std::string webkitVersionIn(std::string_view output) {
  std::size_t at = output.find("WebKit ");
  return at == std::string_view::npos ? wdhost::extractVersion(output)
                                      : wdhost::extractVersion(output.substr(at + 6));
}

std::string packageIn(std::string_view dpkgSearchOutput) {
  std::size_t colon = dpkgSearchOutput.find(": ");
  // "PACKAGE: /path"; errors ("dpkg-query: no path found ...") have no path after the colon.
  if (colon == std::string_view::npos || colon == 0 || colon + 2 >= dpkgSearchOutput.size() ||
      dpkgSearchOutput[colon + 2] != '/')
    return "";
  std::string_view package = dpkgSearchOutput.substr(0, colon);
  if (package.find_first_of(" ,\n") != std::string_view::npos)
    return "";
  return std::string(package);
}

} // namespace wdhost::safari
