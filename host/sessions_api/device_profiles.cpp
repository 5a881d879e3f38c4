#include "sessions_api/device_profiles.h"

namespace wdh {
namespace {

// A 1080p Windows 11 desktop, a 14-inch MacBook Pro (Apple silicon), a 1080p Linux desktop, and
// a Samsung Galaxy S23 (Android 14). Windows report platform version 15 for Windows 11 and
// Chrome on Apple silicon reports "arm".
constexpr DeviceProfile kProfiles[] = {
    {"windows", false, 1920, 1080, 1920, 1032, 1.0, 0, "Win32", "Windows NT 10.0; Win64; x64",
     "5.0 (Windows)", "Windows", "15.0.0", "x86", "64", ""},
    {"macos", false, 1512, 982, 1512, 945, 2.0, 0, "MacIntel", "Intel Mac OS X 10.15",
     "5.0 (Macintosh)", "macOS", "14.6.1", "arm", "64", ""},
    {"linux", false, 1920, 1080, 1920, 1053, 1.0, 0, "Linux x86_64", "Linux x86_64", "5.0 (X11)",
     "Linux", "6.1.0", "x86", "64", ""},
    {"android", true, 360, 780, 360, 780, 3.0, 5, "Linux armv81", "Linux armv81",
     "5.0 (Android 14)", "Android", "14.0.0", "", "", "SM-S911B"},
};

} // namespace

const DeviceProfile& deviceProfile(std::string_view os, bool mobile) {
  std::string_view wanted = os.empty() ? (mobile ? "android" : "linux") : os;
  for (const DeviceProfile& profile : kProfiles)
    if (profile.os == wanted)
      return profile;
  return kProfiles[2]; // linux: checkPresentation() keeps other systems out
}

} // namespace wdh
