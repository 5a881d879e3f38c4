#include "sessions_api/target_url.h"

#include "proxy/upstream_dial.h"

#include <Poco/Exception.h>
#include <Poco/String.h>
#include <Poco/URI.h>
#include <algorithm>
#include <vector>

namespace wdh {

Status checkApiUrl(std::string_view field, const std::string& url) {
  std::string name = "\"" + std::string(field) + "\"";
  bool control = std::any_of(url.begin(), url.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
  std::size_t colon = url.find(':');
  std::string scheme = colon == std::string::npos ? "" : Poco::toLower(url.substr(0, colon));
  if (scheme != "http" && scheme != "https")
    return Status(
        ErrorCode::InvalidArgument,
        name + " must be an http:// or https:// URL" +
            (colon == std::string::npos || colon > 32 ? std::string()
                                                      : ", not " + url.substr(0, colon + 1)) +
            " (file:, data:, about:, chrome:, view-source: and other schemes are refused: "
            "they reach the host's files or the browser's own pages)");
  try {
    Poco::URI parsed(url);
    if (!control && url.compare(colon, 3, "://") == 0 && !parsed.getHost().empty())
      return Status::ok();
  } catch (const Poco::Exception&) {
  }
  return Status(ErrorCode::InvalidArgument,
                name + " is not a URL: it needs a host, a port up to 65535, and no spaces or "
                       "control characters (percent-encode them)");
}

Status precheckTarget(const std::string& url, const TargetPolicy& policy) {
  try {
    Poco::URI parsed(url);
    std::vector<Poco::Net::SocketAddress> allowed;
    Status status = proxy::resolveAllowed(parsed.getHost(), parsed.getPort(), policy, &allowed);
    return status.code() == ErrorCode::InvalidArgument ? status : Status::ok();
  } catch (const Poco::Exception&) {
    return Status::ok(); // checkApiUrl refuses what does not parse
  }
}

} // namespace wdh
