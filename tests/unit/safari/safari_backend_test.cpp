#include "safari_backend.h"

#include <doctest/doctest.h>
#include <wdhost/plugin.hpp>

using namespace wdhost::safari;

namespace {

Availability everything() {
  Availability a;
  a.gtk = a.wpe = a.xvfb = true;
  a.gtkVersion = "2.50.6";
  a.wpeVersion = "2.38.6";
  return a;
}

SafariConfig withDisplay(const char* display, bool headless = true) {
  SafariConfig config;
  config.display = display;
  config.headless = headless;
  return config;
}

std::string failure(const SafariConfig& config, const Availability& available,
                    const BackendRequest& request = {}) {
  try {
    chooseLinuxPlan(config, available, "", request);
  } catch (const wdhost::Error& e) {
    CHECK(e.code() == "session not created");
    return e.what();
  }
  return "";
}

} // namespace

TEST_CASE("safari: display selection, headless by default") {
  // WPE is truly headless, so it wins when installed and nothing else is asked for.
  Plan plan = chooseLinuxPlan(SafariConfig{}, everything(), "", {});
  CHECK(plan.backend == Backend::Wpe);
  CHECK(plan.display == DisplayMode::Headless);
  // A host DISPLAY does not matter while headless.
  CHECK(chooseLinuxPlan(SafariConfig{}, everything(), ":0", {}).backend == Backend::Wpe);

  // Without WPE, MiniBrowser gets a private Xvfb.
  Availability gtkOnly = everything();
  gtkOnly.wpe = false;
  plan = chooseLinuxPlan(SafariConfig{}, gtkOnly, ":0", {});
  CHECK(plan.backend == Backend::WebKitGtk);
  CHECK(plan.display == DisplayMode::Xvfb);
  CHECK(std::string(displayModeName(plan.display)) == "xvfb");
}

TEST_CASE("safari: display selection with windows shown or a display configured") {
  // The host shows windows and has a display: MiniBrowser there.
  Plan plan = chooseLinuxPlan(withDisplay("auto", false), everything(), ":3", {});
  CHECK(plan.backend == Backend::WebKitGtk);
  CHECK(plan.display == DisplayMode::XDisplay);
  CHECK(plan.xDisplay == ":3");
  // Windows asked for but no display: still headless.
  CHECK(chooseLinuxPlan(withDisplay("auto", false), everything(), "", {}).display ==
        DisplayMode::Headless);
  // Configured displays.
  plan = chooseLinuxPlan(withDisplay(":9"), everything(), ":0", {});
  CHECK(plan.display == DisplayMode::XDisplay);
  CHECK(plan.xDisplay == ":9");
  plan = chooseLinuxPlan(withDisplay("xvfb", false), everything(), ":0", {});
  CHECK(plan.backend == Backend::WebKitGtk);
  CHECK(plan.display == DisplayMode::Xvfb);
  CHECK(chooseLinuxPlan(withDisplay("wpe"), everything(), "", {}).backend == Backend::Wpe);
}

TEST_CASE("safari: the request's browser and version choose the backend") {
  CHECK(chooseLinuxPlan(SafariConfig{}, everything(), "", {"webkitgtk", ""}).backend ==
        Backend::WebKitGtk);
  CHECK(chooseLinuxPlan(withDisplay("xvfb"), everything(), "", {"wpe", ""}).backend ==
        Backend::Wpe);
  CHECK(chooseLinuxPlan(SafariConfig{}, everything(), "", {"", "2.50"}).backend ==
        Backend::WebKitGtk);
  CHECK(chooseLinuxPlan(withDisplay("xvfb"), everything(), "", {"", "2.38.6"}).backend ==
        Backend::Wpe);
  CHECK(versionMatches("2.50", "2.50.6"));
  CHECK_FALSE(versionMatches("2.5", "2.50.6"));
}

TEST_CASE("safari: display selection says what to install when nothing fits") {
  Availability none;
  CHECK(failure(SafariConfig{}, none).find("webkit2gtk-driver") != std::string::npos);
  Availability gtkNoXvfb;
  gtkNoXvfb.gtk = true;
  CHECK(failure(SafariConfig{}, gtkNoXvfb).find("xvfb") != std::string::npos);
  Availability gtkOnly = gtkNoXvfb;
  gtkOnly.xvfb = true;
  CHECK(failure(withDisplay("wpe"), gtkOnly).find("wpewebkit-driver cog") != std::string::npos);
  CHECK(failure(SafariConfig{}, gtkOnly, {"wpe", ""}).find("WPE") != std::string::npos);
}
