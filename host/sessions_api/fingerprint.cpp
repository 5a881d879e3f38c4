#include "sessions_api/fingerprint.h"

namespace wdh {
namespace {

std::string majorOf(std::string_view version) {
  std::string major(version.substr(0, version.find('.')));
  return major.empty() ? "120" : major;
}

} // namespace

Status checkPresentation(const Presentation& p) {
  bool phoneOs = p.os == "android" || p.os == "ios";
  if (p.mobile && !p.os.empty() && !phoneOs)
    return Status(
        ErrorCode::InvalidArgument,
        "a mobile device runs android or ios, not " + p.os +
            "; ask for operatingSystem [\"android\"] or [\"ios\"], or device [\"desktop\"]");
  if (p.browser == "safari" && (!p.os.empty() || p.mobile))
    return Status(ErrorCode::InvalidArgument,
                  "the safari backend presents only its own platform here; leave out "
                  "operatingSystem and device, or ask for chrome or firefox");
  return Status::ok();
}

std::string userAgentFor(const Presentation& p) {
  std::string v = majorOf(p.browserVersion);
  std::string os = p.os.empty() && p.mobile ? "android" : p.os;
  if (p.browser == "chrome") {
    const std::string tail = " AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + v + ".0.0.0";
    if (os == "windows")
      return "Mozilla/5.0 (Windows NT 10.0; Win64; x64)" + tail + " Safari/537.36";
    if (os == "macos")
      return "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)" + tail + " Safari/537.36";
    if (os == "linux")
      return "Mozilla/5.0 (X11; Linux x86_64)" + tail + " Safari/537.36";
    if (os == "android")
      return "Mozilla/5.0 (Linux; Android 10; K)" + tail + " Mobile Safari/537.36";
    if (os == "ios")
      return "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
             "like Gecko) CriOS/" +
             v + ".0.0.0 Mobile/15E148 Safari/604.1";
  }
  if (p.browser == "firefox") {
    const std::string tail = "; rv:" + v + ".0) Gecko/20100101 Firefox/" + v + ".0";
    if (os == "windows")
      return "Mozilla/5.0 (Windows NT 10.0; Win64; x64" + tail;
    if (os == "macos")
      return "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15" + tail;
    if (os == "linux")
      return "Mozilla/5.0 (X11; Linux x86_64" + tail;
    if (os == "android")
      return "Mozilla/5.0 (Android 14; Mobile; rv:" + v + ".0) Gecko/" + v + ".0 Firefox/" + v +
             ".0";
    if (os == "ios")
      return "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
             "like Gecko) FxiOS/" +
             v + ".0 Mobile/15E148 Safari/605.1.15";
  }
  return "";
}

} // namespace wdh
