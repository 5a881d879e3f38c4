#include "safari_backend.h"

#include <wdhost/plugin.hpp>

namespace wdhost::safari {
namespace {

[[noreturn]] void unavailable(const std::string& why) {
  throw wdhost::Error("session not created", why);
}

Plan gtkPlan(const SafariConfig& config, const Availability& available,
             std::string_view hostDisplay) {
  if (!available.gtk)
    unavailable("WebKitGTK's WebKitWebDriver and MiniBrowser were not found; install them "
                "(Debian: webkit2gtk-driver) or set safari.driver and safari.binary");
  Plan plan;
  plan.backend = Backend::WebKitGtk;
  if (isXDisplayName(config.display)) {
    plan.display = DisplayMode::XDisplay;
    plan.xDisplay = config.display;
    return plan;
  }
  bool showWindows = !config.headless && !hostDisplay.empty();
  if (config.display != "xvfb" && showWindows) {
    plan.display = DisplayMode::XDisplay;
    plan.xDisplay = std::string(hostDisplay);
    return plan;
  }
  if (!available.xvfb)
    unavailable("MiniBrowser has no headless mode and Xvfb was not found; install it (Debian: "
                "xvfb), install the WPE port (Debian: wpewebkit-driver cog), or set "
                "safari.display to an X display");
  plan.display = DisplayMode::Xvfb;
  return plan;
}

Plan wpePlan(const Availability& available) {
  if (!available.wpe)
    unavailable("the WPE port was asked for but WPEWebDriver and cog were not found; install "
                "them (Debian: wpewebkit-driver cog)");
  Plan plan;
  plan.backend = Backend::Wpe;
  plan.display = DisplayMode::Headless;
  return plan;
}

} // namespace

const char* backendName(Backend backend) {
  switch (backend) {
  case Backend::WebKitGtk:
    return "webkitgtk";
  case Backend::Wpe:
    return "wpe";
  case Backend::Safari:
    return "safari";
  }
  return "webkitgtk";
}

const char* displayModeName(DisplayMode mode) {
  switch (mode) {
  case DisplayMode::Xvfb:
    return "xvfb";
  case DisplayMode::XDisplay:
    return "display";
  case DisplayMode::Headless:
    return "wpe";
  case DisplayMode::Native:
    return "native";
  }
  return "xvfb";
}

bool versionMatches(std::string_view wanted, std::string_view version) {
  if (wanted.empty() || wanted == version)
    return true;
  return version.size() > wanted.size() && version.substr(0, wanted.size()) == wanted &&
         version[wanted.size()] == '.';
}

Plan chooseLinuxPlan(const SafariConfig& config, const Availability& available,
                     std::string_view hostDisplay, const BackendRequest& request) {
  if (request.backend == "wpe")
    return wpePlan(available);
  if (request.backend == "webkitgtk")
    return gtkPlan(config, available, hostDisplay);
  if (!request.version.empty()) {
    bool gtkFits = available.gtk && versionMatches(request.version, available.gtkVersion);
    bool wpeFits = available.wpe && versionMatches(request.version, available.wpeVersion);
    if (gtkFits != wpeFits)
      return gtkFits ? gtkPlan(config, available, hostDisplay) : wpePlan(available);
  }
  if (config.display == "wpe")
    return wpePlan(available);
  if (config.display == "xvfb" || isXDisplayName(config.display))
    return gtkPlan(config, available, hostDisplay);
  // auto: visible windows when the host shows them, else truly headless WPE, else Xvfb.
  if (!config.headless && !hostDisplay.empty() && available.gtk)
    return gtkPlan(config, available, hostDisplay);
  if (available.wpe)
    return wpePlan(available);
  return gtkPlan(config, available, hostDisplay);
}

} // namespace wdhost::safari
