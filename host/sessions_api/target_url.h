// The URLs a sessions-API client may name ("url", a goto action's "url"): http and https only,
// and, for a browser that connects directly, a first check of the target policy that turns the
// common refusal into a clear error (the session's forwarding proxy enforces the policy on
// every connection, redirects and subresources included).
#pragma once

#include "core/status.h"
#include "proxy/target_policy.h"

#include <string>
#include <string_view>

namespace wdh {

// Ok for an http:// or https:// URL with a host (any case), no space or control character;
// InvalidArgument naming `field` and what is refused (file:, data:, about:, chrome:,
// view-source: and every other scheme: they reach the host's files or the browser's insides).
Status checkApiUrl(std::string_view field, const std::string& url);

// InvalidArgument (naming the address and the option) when `policy` refuses every address the
// host of `url` (checked by checkApiUrl) resolves to; Ok otherwise, also when it does not
// resolve (the browser reports that itself).
Status precheckTarget(const std::string& url, const TargetPolicy& policy);

} // namespace wdh
