#include "firefox_profile.h"

#include "firefox_options.h"

#include <wdhost/json.hpp>

namespace wdhost::firefox {
namespace {} // namespace

std::vector<Pref> automationPrefs() {
  const std::string off = "false";
  const std::string on = "true";
  const std::string none = "\"\"";
  return {
      // Marionette: let Firefox pick a free port and write it to MarionetteActivePort.
      {"marionette.port", "0"},
      // What pages write to their console goes to Firefox's stdout too: the host keeps it in the
      // session's log (geckodriver's own profile does the same).
      {"devtools.console.stdout.content", on},
      // No updates of the application, add-ons, search engines or media plugins.
      {"app.update.auto", off},
      {"app.update.checkInstallTime", off},
      {"app.update.disabledForTesting", on},
      {"app.update.enabled", off},
      {"extensions.update.enabled", off},
      {"extensions.getAddons.cache.enabled", off},
      {"extensions.blocklist.enabled", off},
      {"browser.search.update", off},
      {"browser.region.update.enabled", off},
      {"browser.region.network.url", none},
      {"media.gmp-manager.updateEnabled", off},
      {"media.gmp-manager.url", none},
      // No telemetry, data reporting, studies or experiments.
      {"datareporting.policy.dataSubmissionEnabled", off},
      {"datareporting.healthreport.uploadEnabled", off},
      {"toolkit.telemetry.enabled", off},
      {"toolkit.telemetry.unified", off},
      {"toolkit.telemetry.archive.enabled", off},
      {"toolkit.telemetry.server", "\"https://127.0.0.1/telemetry-dummy/\""},
      {"app.normandy.enabled", off},
      {"app.normandy.api_url", none},
      {"app.shield.optoutstudies.enabled", off},
      {"messaging-system.rsexperimentloader.enabled", off},
      {"browser.ping-centre.telemetry", off},
      {"browser.newtabpage.activity-stream.feeds.telemetry", off},
      {"browser.newtabpage.activity-stream.telemetry", off},
      // No first-run, welcome or what's-new pages; a blank start page and new tab.
      {"browser.shell.checkDefaultBrowser", off},
      {"browser.startup.page", "0"},
      {"browser.startup.homepage", "\"about:blank\""},
      {"browser.startup.homepage_override.mstone", "\"ignore\""},
      {"startup.homepage_welcome_url", "\"about:blank\""},
      {"startup.homepage_welcome_url.additional", none},
      {"browser.aboutwelcome.enabled", off},
      {"browser.newtabpage.enabled", off},
      {"trailhead.firstrun.didSeeAboutWelcome", on},
      {"datareporting.policy.firstRunURL", none},
      {"browser.uitour.enabled", off},
      // No captive portal, connectivity or prefetch traffic.
      {"network.captive-portal-service.enabled", off},
      {"network.connectivity-service.enabled", off},
      {"network.dns.disablePrefetch", on},
      {"network.prefetch-next", off},
      {"network.http.speculative-parallel-limit", "0"},
      {"browser.topsites.contile.enabled", off},
      {"geo.provider.network.url", none},
      // No safebrowsing lists.
      {"browser.safebrowsing.malware.enabled", off},
      {"browser.safebrowsing.phishing.enabled", off},
      {"browser.safebrowsing.downloads.enabled", off},
      {"browser.safebrowsing.blockedURIs.enabled", off},
      {"browser.safebrowsing.update.enabled", off},
      {"browser.safebrowsing.provider.mozilla.updateURL", none},
      {"browser.safebrowsing.provider.google4.updateURL", none},
      // No remote settings (what geckodriver points it at: a server that does not exist).
      {"services.settings.server", "\"data:,#remote-settings-dummy/v1\""},
      // No session restore, crash-resume or quit prompts.
      {"browser.sessionstore.resume_from_crash", off},
      {"toolkit.startup.max_resumed_crashes", "-1"},
      {"browser.tabs.warnOnClose", off},
      {"browser.warnOnQuit", off},
      {"dom.disable_open_during_load", off},
      {"security.certerrors.mitm.priming.enabled", off},
      // Read <profile>/chrome/userChrome.css (windowStylesheet()).
      {"toolkit.legacyUserProfileCustomizations.stylesheets", on},
  };
}

std::string windowStylesheet() {
  return "/* Written by wdhost: a window may be as small as a phone's (Set Window Rect, emulated\n"
         "   devices); Firefox's own minimum is 450-500 CSS pixels wide. */\n"
         ":root, #main-window { min-width: 0 !important; min-height: 0 !important; }\n";
}

std::string userPrefLine(const Pref& pref) {
  return "user_pref(" + wdhost::json::quote(pref.first) + ", " + pref.second + ");\n";
}

std::string userJs(const std::vector<Pref>& userPrefs, const std::string& logLevel) {
  std::string text = "// Written by wdhost for one automation session.\n";
  for (const Pref& pref : automationPrefs())
    text += userPrefLine(pref);
  if (!logLevel.empty())
    text += userPrefLine({"marionette.log.level", wdhost::json::quote(logLevel)});
  for (const Pref& pref : userPrefs)
    text += userPrefLine(pref);
  return text;
}

std::vector<std::string> firefoxArgv(const std::string& binary, const std::string& profileDir,
                                     const std::vector<std::string>& userArgs, bool headless) {
  std::vector<std::string> argv = {binary, "-marionette", "-no-remote", "-profile", profileDir};
  if (headless && !hasHeadlessArg(userArgs))
    argv.emplace_back("-headless");
  argv.insert(argv.end(), userArgs.begin(), userArgs.end());
  return argv;
}

std::vector<std::string> firefoxEnv(const std::vector<std::string>& userEnv) {
  std::vector<std::string> env = {"MOZ_CRASHREPORTER_DISABLE=1", "MOZ_CRASHREPORTER_NO_REPORT=1",
                                  "MOZ_CRASHREPORTER_SHUTDOWN=1", "MOZ_NO_REMOTE=1"};
  env.insert(env.end(), userEnv.begin(), userEnv.end());
  return env;
}

} // namespace wdhost::firefox
